// parseSettings with the extraArgs input, and the task's list of kaniko's flags against the
// local cluster's executor emulation.
import { strict as assert } from 'node:assert';
import { parseSettings } from '../../../tasks/KanikoBuildV1/src/settings/parse';
import { KANIKO_FLAGS } from '../../../tasks/KanikoBuildV1/src/settings/kaniko-flags';
import { KANIKO_FLAGS as EMULATED_FLAGS } from '../../../tools/local-cluster/kubelet/executor/flags';
import { rawRun, settingsProblems } from './support/raw-run';
import { useTempDir, writeTree } from './support/temp-dir';

describe('settings: extraArgs', () => {
  const root = useTempDir();
  beforeEach(() => writeTree(root(), { Dockerfile: 'FROM alpine\n' }));
  const parse = (extraArgs: string) => parseSettings(rawRun(root(), { inputs: { extraArgs } })).kaniko.extraArgs;
  const problemsOf = (extraArgs: string) => settingsProblems(rawRun(root(), { inputs: { extraArgs } }));

  it('flags are normalised to --name=value', () => {
    const args = parse([
      '--snapshot-mode=redo',
      '# lower the memory use',
      '',
      '  --compressed-caching=false  ',
      '--single-snapshot',
      '--verbosity debug',
      '--custom-platform\tlinux/arm64',
      '--annotation=org.example.team=web',
      '--image-download-retry=0x3',
      '--ignore-path=/var/cache with space',
      '--push-ignore-immutable-tag-errors=True\r',
    ].join('\n'));

    assert.deepEqual(args, [
      '--snapshot-mode=redo',
      '--compressed-caching=false',
      '--single-snapshot',
      '--verbosity=debug',
      '--custom-platform=linux/arm64',
      '--annotation=org.example.team=web',
      '--image-download-retry=0x3',
      '--ignore-path=/var/cache with space',
      '--push-ignore-immutable-tag-errors=True',
    ]);
  });

  const rejected = [
    { line: '--frobnicate', pattern: /^Input extraArgs: --frobnicate is not a flag of kaniko's executor/ },
    { line: '--destination=other.example.test/web:1', pattern: /^Input extraArgs: the task sets --destination from the inputs repository and tags\./ },
    { line: '--dockerfile=other/Dockerfile', pattern: /sets --dockerfile from the input dockerfile\./ },
    { line: '--build-arg=A=b', pattern: /sets --build-arg from the inputs buildArguments and secretBuildArguments\./ },
    { line: '--target=final', pattern: /sets --target from the input target\./ },
    { line: '--cache=true', pattern: /sets --cache from the input cache\./ },
    { line: '--cache-repo=myregistry.azurecr.io/cache', pattern: /sets --cache-repo from the input cacheRepository\./ },
    { line: '--cache-ttl=1h', pattern: /sets --cache-ttl from the input cacheTtl\./ },
    { line: '--label=a=b', pattern: /sets --label from the inputs labels and ociLabels\./ },
    { line: '--skip-unused-stages', pattern: /sets --skip-unused-stages from the input skipUnusedStages\./ },
    { line: '--push-retry=2', pattern: /sets --push-retry from the input pushRetry\./ },
    { line: '--registry-mirror=mirror.gcr.io', pattern: /sets --registry-mirror from the input registryMirror\./ },
    { line: '--insecure-registry=registry.internal', pattern: /sets --insecure-registry from the input insecureRegistries\./ },
    { line: '--no-push', pattern: /sets --no-push from the input noPush\./ },
    { line: '--context=dir:///workspace', pattern: /^Input extraArgs: the task sets --context itself, because it gives kaniko the build context/ },
    { line: '--context-sub-path=app', pattern: /the task sets --context-sub-path itself/ },
    { line: '--bucket=contexts', pattern: /the task sets --bucket itself/ },
    { line: '--digest-file=/tmp/digest', pattern: /the task sets --digest-file itself, because it reads the image's digest/ },
    { line: '--log-format=json', pattern: /the task sets --log-format itself, because it streams kaniko's log as plain text/ },
    { line: '--help', pattern: /^Input extraArgs: with --help kaniko builds no image/ },
    { line: '--dryrun', pattern: /^Input extraArgs: with --dryrun kaniko builds no image/ },
    { line: '-v debug', pattern: /^Input extraArgs: line 1, '-v debug', is not a kaniko flag in the form --name or --name=value/ },
    { line: 'snapshot-mode=redo', pattern: /line 1, 'snapshot-mode=redo', is not a kaniko flag/ },
    { line: '--', pattern: /line 1, '--', is not a kaniko flag/ },
    { line: '--=redo', pattern: /line 1, '--=redo', is not a kaniko flag/ },
    { line: '--cache-dir', pattern: /^Input extraArgs: --cache-dir needs a value\. Write --cache-dir=VALUE\./ },
    { line: '--single-snapshot=yes', pattern: /^Input extraArgs: 'yes' is not a value of --single-snapshot, which takes true or false\./ },
    { line: '--compressed-caching no', pattern: /'no' is not a value of --compressed-caching/ },
    { line: '--image-fs-extract-retry=two', pattern: /'two' is not a value of --image-fs-extract-retry, which takes a whole number\./ },
    { line: '--verbosity=de\u0007bug', pattern: /^Input extraArgs: line 1 contains a control character/ },
  ];
  for (const { line, pattern } of rejected) {
    it(`rejected: ${JSON.stringify(line)}`, () => {
      const problems = problemsOf(line);

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], pattern);
    });
  }

  it('key-value message hides the value', () => {
    const problems = problemsOf('--registry-certificate=token-like-value-0013');

    assert.deepEqual(problems, ['Input extraArgs: the value of --registry-certificate is not KEY=VALUE. Write --registry-certificate=KEY=VALUE.']);
  });

  it('every problem names its line', () => {
    const problems = problemsOf('--snapshot-mode=redo\n\n-v\n--unknown-one\n\u0001');

    assert.deepEqual(problems.map((problem) => problem.split(/,? is | contains /)[0]), [
      "Input extraArgs: line 3, '-v'", 'Input extraArgs: --unknown-one', 'Input extraArgs: line 5',
    ]);
  });

  it("flag list matches the emulation's", () => {
    const taskFlags = [...KANIKO_FLAGS.keys()].filter((name) => name !== 'help').sort();

    assert.deepEqual(taskFlags, [...EMULATED_FLAGS.keys()].sort());
  });

  it("flag kinds match the emulation's", () => {
    const checked = new Set(['bool', 'int', 'duration', 'key-value']);
    for (const [name, spec] of EMULATED_FLAGS) {
      const kind = KANIKO_FLAGS.get(name);
      if (checked.has(spec.kind) || checked.has(kind ?? '')) assert.equal(kind, spec.kind, `--${name}`);
    }
  });
});
