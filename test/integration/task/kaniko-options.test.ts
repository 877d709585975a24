// The kaniko option inputs, run through the bundled task against the local cluster. Its executor
// emulation shows the effect of each: secret build arguments, the layer cache, labels, unused
// stages, building without a push, push retries, registry mirrors, registries without TLS and
// further flags.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sharedStandIns, STAND_IN_REGISTRY } from '../stand-ins';
import { assertNothingLeft, buildRecordingSecrets, errors, runBuild, type BuildRun } from './harness';

const NPM_TOKEN = 'npm-secret-value-0101';
const FEED_PASSWORD = 'feed-secret-0102';
const STAGES = [
  'FROM alpine:3.20 AS unused',
  'RUN echo unused stage ran',
  'FROM alpine:3.20 AS final',
  'RUN echo final stage ran',
  '',
].join('\n');
const OLD_EXECUTOR = 'ghcr.io/osscontainertools/kaniko:v1.26.4';

/** Returns a repository of its own for a test, so that the shared registry's tags and cache do not mix. */
function uniqueRepository(name: string): string {
  return `samples/${name}-${randomBytes(3).toString('hex')}`;
}

function buildLog(build: BuildRun): string[] {
  return build.run.groups.find((group) => group.name.startsWith('kaniko build log'))?.lines ?? [];
}

function assertSucceeded(build: BuildRun): void {
  assert.equal(build.run.result, 'Succeeded', errors(build.run) || build.run.log.join('\n'));
}

/** Asserts that the step failed with `pattern` before it created anything in the cluster. */
function assertRejectedEarly(build: BuildRun, pattern: RegExp): void {
  assert.equal(build.run.result, 'Failed');
  assert.match(errors(build.run), pattern);
  assert.equal(build.record, undefined, 'a pod was created');
}

describe('KanikoBuild task: kaniko options', function () {
  this.timeout(180_000);

  describe('secret build arguments', () => {
    let build: BuildRun;
    let secretData: Record<string, string>[];
    before(async () => {
      ({ build, secretData } = await buildRecordingSecrets({
        files: { Dockerfile: 'FROM alpine:3.20\nARG NPM_TOKEN\nARG FEED_URL\nARG VERSION\nRUN echo token $NPM_TOKEN\nRUN echo feed $FEED_URL version $VERSION\n' },
        inputs: {
          buildArguments: 'VERSION=1.0',
          secretBuildArguments: 'NPM_TOKEN\nFEED_URL=https://build:$(feedPassword)@feed.example.test/simple',
        },
        secretVariables: { NPM_TOKEN, feedPassword: FEED_PASSWORD },
        variables: { 'system.debug': 'true' },
      }, 'secret-args'));
    });

    it('succeeds', () => {
      assertSucceeded(build);
    });

    it('kaniko gets the names only', () => {
      const args = build.record?.args ?? [];

      assert.deepEqual(args.filter((arg) => arg.startsWith('--build-arg')), ['--build-arg=VERSION=1.0', '--build-arg=NPM_TOKEN', '--build-arg=FEED_URL']);
      assert.ok(!JSON.stringify(build.record?.pod).includes(NPM_TOKEN), 'the pod spec contains the value');
      assert.ok(!JSON.stringify(build.record?.pod).includes(FEED_PASSWORD), 'the pod spec contains the value');
    });

    it('values come from a Secret', () => {
      const env = build.record?.pod.spec?.containers[0].env ?? [];
      const fromSecret = env.filter((variable) => variable.valueFrom?.secretKeyRef?.name?.endsWith('-build-args'));

      assert.deepEqual(fromSecret.map((variable) => variable.name), ['NPM_TOKEN', 'FEED_URL']);
      const data = secretData.find((secret) => 'NPM_TOKEN' in secret);
      assert.deepEqual(data, { NPM_TOKEN, FEED_URL: `https://build:${FEED_PASSWORD}@feed.example.test/simple` });
    });

    it('build sees the values, masked in the log', () => {
      const log = buildLog(build);

      assert.ok(log.includes('token ***'), log.join('\n'));
      assert.ok(log.includes('feed *** version 1.0'), log.join('\n'));
    });

    it('only the build prints the values', () => {
      // The RUN steps print the values on purpose; the agent masks them. Nothing else may print them.
      const printed = build.run.rawStdout.split('\n')
        .filter((line) => !line.startsWith('##vso[task.setsecret]') && !/^(token|feed) /.test(line));
      for (const value of [NPM_TOKEN, FEED_PASSWORD, Buffer.from(NPM_TOKEN).toString('base64')]) {
        assert.ok(!printed.some((line) => line.includes(value)), `${value.slice(0, 6)}... appears in the output`);
      }
      assert.ok(!build.run.stderr.includes(NPM_TOKEN));
    });

    it('leaves nothing behind', async () => {
      await assertNothingLeft(build);
    });
  });

  it('secret in buildArguments is rejected', async () => {
    const build = await runBuild({ inputs: { buildArguments: 'NPM_TOKEN=$(npmToken)' }, secretVariables: { npmToken: NPM_TOKEN } });

    assertRejectedEarly(build, /the value of NPM_TOKEN contains the secret pipeline variable npmToken.*Move the line for NPM_TOKEN to secretBuildArguments/);
    // task-lib's debug line of the input shows the value, which the agent masks like every secret variable.
    assert.ok(!errors(build.run).includes(NPM_TOKEN));
    assert.ok(!build.run.log.join('\n').includes(NPM_TOKEN));
  });

  describe('layer cache', () => {
    const repository = uniqueRepository('cached');
    const files = { Dockerfile: 'FROM alpine:3.20\nRUN echo building the layer\n' };
    const inputs = { repository, cache: 'true' };
    let first: BuildRun;
    let second: BuildRun;
    before(async () => {
      first = await runBuild({ files, inputs });
      second = await runBuild({ files, inputs });
    });

    it('first build fills the cache', () => {
      assertSucceeded(first);
      const log = buildLog(first);

      assert.ok(log.some((line) => line.includes('No cached layer found for cmd RUN echo building the layer')), log.join('\n'));
      assert.ok(log.includes('building the layer'), log.join('\n'));
      assert.ok(first.record?.args.includes(`--cache-repo=${STAND_IN_REGISTRY.host}/${repository}/cache`));
    });

    it('cache repository holds the layer', async () => {
      const { cluster } = await sharedStandIns();

      assert.equal(cluster.registry.tagsOf(`${STAND_IN_REGISTRY.host}/${repository}/cache`).length, 1);
    });

    it('second build reuses the layer', () => {
      assertSucceeded(second);
      const log = buildLog(second);

      assert.ok(log.some((line) => line.includes('Using caching version of cmd: RUN echo building the layer')), log.join('\n'));
      assert.ok(!log.includes('building the layer'), 'the RUN step ran again');
    });

    it('expired layer is built again', async () => {
      const build = await runBuild({ files, inputs: { ...inputs, cacheTtl: '1ms' } });
      const log = buildLog(build);

      assertSucceeded(build);
      assert.ok(log.some((line) => /Cache entry expired: .*\/cache:[0-9a-f]{64}/.test(line)), log.join('\n'));
      assert.ok(log.includes('building the layer'), log.join('\n'));
    });
  });

  describe('labels', () => {
    const repository = uniqueRepository('labelled');
    let build: BuildRun;
    before(async () => {
      build = await runBuild({ inputs: { repository, labels: 'org.opencontainers.image.title=flask-app\nteam=web platform' } });
    });

    it('pushed image has the labels', async () => {
      assertSucceeded(build);
      const { cluster } = await sharedStandIns();
      const image = cluster.registry.get(`${STAND_IN_REGISTRY.host}/${repository}:4711`);

      assert.equal(image?.digest, build.run.variables.imageDigest?.value);
      assert.deepEqual(image?.labels, {
        'org.opencontainers.image.source': 'http://127.0.0.1:9/local-collection/kaniko-build-on-aks/_git/kaniko-build-on-aks',
        'org.opencontainers.image.revision': '0123456789abcdef0123456789abcdef01234567',
        'org.opencontainers.image.title': 'flask-app',
        team: 'web platform',
      });
    });
  });

  describe('unused stages', () => {
    it('older executor gets the flag', async () => {
      const build = await runBuild({ files: { Dockerfile: STAGES }, inputs: { executorImage: OLD_EXECUTOR, target: 'final' } });
      const log = buildLog(build);

      assertSucceeded(build);
      assert.ok(build.record?.args.includes('--skip-unused-stages'));
      assert.ok(log.includes('final stage ran'), log.join('\n'));
      assert.ok(!log.includes('unused stage ran'), log.join('\n'));
    });

    it('older executor builds every stage when turned off', async () => {
      const build = await runBuild({ files: { Dockerfile: STAGES }, inputs: { executorImage: OLD_EXECUTOR, skipUnusedStages: 'false' } });
      const log = buildLog(build);

      assertSucceeded(build);
      assert.ok(!build.record?.args.includes('--skip-unused-stages'));
      assert.ok(log.includes('unused stage ran'), log.join('\n'));
    });

    it('default executor skips them without the flag', async () => {
      const build = await runBuild({ files: { Dockerfile: STAGES }, inputs: { target: 'final' } });
      const log = buildLog(build);

      assertSucceeded(build);
      assert.ok(!build.record?.args.includes('--skip-unused-stages'));
      assert.ok(!log.some((line) => line.includes('--skip-unused-stages is deprecated')), log.join('\n'));
      assert.ok(!log.includes('unused stage ran'), log.join('\n'));
    });
  });

  describe('noPush without a registry connection', () => {
    const repository = uniqueRepository('unpushed');
    let build: BuildRun;
    let secretData: Record<string, string>[];
    before(async () => {
      ({ build, secretData } = await buildRecordingSecrets({
        registryEndpoint: null,
        inputs: { containerRegistry: undefined, repository: `${STAND_IN_REGISTRY.host}/${repository}`, tags: '', noPush: 'true' },
      }, 'no-push'));
    });

    it('succeeds without a push', () => {
      assertSucceeded(build);
      assert.ok(build.record?.args.includes('--no-push'));
      assert.ok(buildLog(build).some((line) => line.includes('Skipping push to container registry due to --no-push flag')));
      assert.match(build.run.log.join('\n'), /without pushing it \(noPush\)/);
    });

    it('outputs the digest but no image name', () => {
      assert.equal(build.run.variables.imageDigest?.value, build.record?.digest);
      assert.equal(build.run.variables.imageName, undefined);
    });

    it('gives the cluster no push credentials', () => {
      const config = secretData.find((secret) => 'config.json' in secret)?.['config.json'];

      assert.equal(config, '{}');
    });

    it('pushes nothing', async () => {
      const { cluster } = await sharedStandIns();

      assert.deepEqual(cluster.registry.tagsOf(`${STAND_IN_REGISTRY.host}/${repository}`), []);
    });
  });

  describe('push retries', () => {
    it('failed push without retries fails the step', async () => {
      const { cluster } = await sharedStandIns();
      cluster.registry.failManifestUploads(STAND_IN_REGISTRY.host, 1);
      const build = await runBuild({ inputs: { repository: uniqueRepository('no-retry') } });

      assert.equal(build.run.result, 'Failed');
      assert.match(errors(build.run), /kaniko reported: error pushing image: failed to push to destination .*MANIFEST_BLOB_UNKNOWN/);
    });

    it('retry pushes after a failure', async () => {
      const { cluster } = await sharedStandIns();
      cluster.registry.failManifestUploads(STAND_IN_REGISTRY.host, 1);
      const repository = uniqueRepository('retried');
      const build = await runBuild({ inputs: { repository, pushRetry: '2' } });
      const log = buildLog(build);

      assertSucceeded(build);
      assert.ok(log.some((line) => line.includes('Retrying operation after 1s due to PUT ') && line.includes('MANIFEST_BLOB_UNKNOWN')), log.join('\n'));
      assert.equal(cluster.registry.get(`${STAND_IN_REGISTRY.host}/${repository}:4711`)?.digest, build.run.variables.imageDigest?.value);
    });
  });

  it('registry mirror serves Docker Hub images', async () => {
    const build = await runBuild({ inputs: { registryMirror: `${STAND_IN_REGISTRY.host}/dockerhub` } });
    const log = buildLog(build);

    assertSucceeded(build);
    assert.ok(log.some((line) => line.includes(`Retrieving image python:3.12-slim from mapped registry ${STAND_IN_REGISTRY.host}"`)), log.join('\n'));
    assert.ok(!log.some((line) => line.includes('Retrieving image python:3.12-slim from registry index.docker.io')), log.join('\n'));
  });

  describe('registries without TLS', () => {
    const plainHost = 'plain.stand-in.test:5000';
    const files = { Dockerfile: `FROM ${plainHost}/python:3.12-slim\nRUN echo built\n` };
    before(async () => {
      (await sharedStandIns()).cluster.registry.servePlainHttp(plainHost);
    });

    it('plain HTTP registry fails over HTTPS', async () => {
      const build = await runBuild({ files });

      assert.equal(build.run.result, 'Failed');
      assert.match(errors(build.run), /http: server gave HTTP response to HTTPS client/);
    });

    it('insecure registry is reached', async () => {
      const build = await runBuild({ files, inputs: { insecureRegistries: plainHost } });

      assertSucceeded(build);
      assert.ok(build.record?.args.includes(`--insecure-registry=${plainHost}`));
    });
  });

  describe('extraArgs', () => {
    it('flags reach kaniko', async () => {
      const build = await runBuild({ inputs: { extraArgs: '--verbosity=warn\n--snapshot-mode redo' } });
      const log = buildLog(build);

      assertSucceeded(build);
      assert.deepEqual(build.record?.args.slice(-2), ['--verbosity=warn', '--snapshot-mode=redo']);
      assert.ok(!log.some((line) => line.includes('Retrieving image manifest')), log.join('\n'));
    });

    it('unknown flag is rejected before the build', async () => {
      const build = await runBuild({ inputs: { extraArgs: '--snapshot-mode=redo\n--frobnicate=1' } });

      assertRejectedEarly(build, /Input extraArgs: --frobnicate is not a flag of kaniko's executor/);
    });

    it('flag of an input is rejected before the build', async () => {
      const build = await runBuild({ inputs: { extraArgs: '--cache=true' } });

      assertRejectedEarly(build, /Input extraArgs: the task sets --cache from the input cache/);
    });
  });
});
