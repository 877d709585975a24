// parseSettings with the secretBuildArguments input, and the check that plain build arguments
// carry no secret pipeline variable.
import { strict as assert } from 'node:assert';
import { parseSettings } from '../../../tasks/KanikoBuildV1/src/settings/parse';
import type { RawInputs } from '../../../tasks/KanikoBuildV1/src/settings/raw';
import { splitSecretBuildArgumentLines } from '../../../tasks/KanikoBuildV1/src/settings/secret-build-arguments';
import { rawRun, settingsProblems, type RunChanges } from './support/raw-run';
import { useTempDir, writeTree } from './support/temp-dir';

const NPM_TOKEN = 'npm-token-value-0007';
const FEED_PASSWORD = 'feed password = 0010';

describe('settings: secret build arguments', () => {
  const root = useTempDir();
  beforeEach(() => writeTree(root(), { Dockerfile: 'FROM alpine\n' }));
  const parse = (inputs: Partial<RawInputs>, changes: RunChanges = {}) => parseSettings(rawRun(root(), { ...changes, inputs })).build;
  const problemsOf = (inputs: Partial<RawInputs>, changes: RunChanges = {}) => settingsProblems(rawRun(root(), { ...changes, inputs }));

  it('lines split into names and values', () => {
    assert.deepEqual(splitSecretBuildArgumentLines('# tokens\nNPM_TOKEN\n\n  FEED = a=b c \r\nEMPTY=\n'), [
      { name: 'NPM_TOKEN' }, { name: 'FEED', value: ' a=b c' }, { name: 'EMPTY', value: '' },
    ]);
  });

  it('NAME takes the pipeline variable', () => {
    const build = parse({ secretBuildArguments: 'NPM_TOKEN' }, { secretBuildArgumentVariables: { NPM_TOKEN } });

    assert.deepEqual(build.secretBuildArguments, [{ name: 'NPM_TOKEN', value: NPM_TOKEN }]);
  });

  it('NAME=VALUE keeps the value', () => {
    const build = parse({ secretBuildArguments: `FEED_PASSWORD=${FEED_PASSWORD}\nNPM_TOKEN` }, { secretBuildArgumentVariables: { NPM_TOKEN } });

    assert.deepEqual(build.secretBuildArguments, [{ name: 'FEED_PASSWORD', value: FEED_PASSWORD }, { name: 'NPM_TOKEN', value: NPM_TOKEN }]);
    assert.deepEqual(build.buildArguments, []);
  });

  it('names that kaniko reads less obviously are accepted', () => {
    const build = parse({ secretBuildArguments: 'AZURE_DEVOPS_PAT=pat-value-0011\nHTTPS_PROXY=http://user:pw@proxy:3128' });

    assert.deepEqual(build.secretBuildArguments.map((argument) => argument.name), ['AZURE_DEVOPS_PAT', 'HTTPS_PROXY']);
  });

  const rejected = [
    { name: 'missing variable', input: 'NPM_TOKEN', pattern: /^Input secretBuildArguments: the line NPM_TOKEN gives no value, and no pipeline variable of that name is set\. .*NPM_TOKEN=\$\(yourSecretVariable\)/ },
    { name: 'unexpanded macro', input: 'NPM_TOKEN=$(npmToken)', pattern: /^Input secretBuildArguments: the value of NPM_TOKEN still contains \$\(npmToken\)/ },
    { name: 'macro inside a value', input: 'FEED_URL=https://build:$(feed.password)@feed.example.test', pattern: /still contains \$\(feed\.password\)/ },
    { name: 'empty value', input: 'NPM_TOKEN=', pattern: /^Input secretBuildArguments: the value of NPM_TOKEN is empty/ },
    { name: 'invalid name', input: `NPM-TOKEN=${NPM_TOKEN}`, pattern: /^Input secretBuildArguments: the line for 'NPM-TOKEN' is not NAME or NAME=VALUE/ },
    { name: 'name starting with a digit', input: `1TOKEN=${NPM_TOKEN}`, pattern: /the line for '1TOKEN'/ },
    { name: 'PATH', input: `PATH=${NPM_TOKEN}`, pattern: /^Input secretBuildArguments: kaniko or its credential helpers read the environment variable PATH themselves/ },
    { name: 'DOCKER_ prefix', input: `DOCKER_CONFIG=${NPM_TOKEN}`, pattern: /read the environment variable DOCKER_CONFIG themselves/ },
    { name: 'KANIKO_ prefix', input: `KANIKO_NO_PUSH=${NPM_TOKEN}`, pattern: /read the environment variable KANIKO_NO_PUSH themselves/ },
    { name: 'feature flag', input: `FF_KANIKO_CACHE_LOOKAHEAD=${NPM_TOKEN}`, pattern: /variable FF_KANIKO_CACHE_LOOKAHEAD themselves/ },
    { name: 'ACR helper variable', input: `AZURE_CLIENT_SECRET=${NPM_TOKEN}`, pattern: /variable AZURE_CLIENT_SECRET themselves/ },
    { name: 'storage key variable', input: `AZURE_STORAGE_ACCESS_KEY=${NPM_TOKEN}`, pattern: /variable AZURE_STORAGE_ACCESS_KEY themselves/ },
    { name: 'duplicate', input: `NPM_TOKEN=${NPM_TOKEN}\nNPM_TOKEN=other-0012`, pattern: /^Input secretBuildArguments: NPM_TOKEN appears more than once/ },
  ];
  for (const { name, input, pattern } of rejected) {
    it(`rejected: ${name}`, () => {
      const problems = problemsOf({ secretBuildArguments: input });

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], pattern);
      assert.ok(!problems[0].includes(NPM_TOKEN), 'the message shows the value');
    });
  }

  it('name in both inputs is rejected', () => {
    const problems = problemsOf({ buildArguments: 'NPM_TOKEN=public', secretBuildArguments: `NPM_TOKEN=${NPM_TOKEN}` });

    assert.deepEqual(problems, ['Inputs buildArguments and secretBuildArguments: both set NPM_TOKEN. Keep it in secretBuildArguments only.']);
  });

  it('name in both inputs is reported once', () => {
    const problems = problemsOf({ buildArguments: 'NPM_TOKEN=public', secretBuildArguments: `NPM_TOKEN=${NPM_TOKEN}\nNPM_TOKEN=${NPM_TOKEN}` });

    assert.deepEqual(problems, ['Inputs buildArguments and secretBuildArguments: both set NPM_TOKEN. Keep it in secretBuildArguments only.']);
  });

  it('line without a name shows an empty name', () => {
    const problems = problemsOf({ secretBuildArguments: '=some-value-1234' });

    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^Input secretBuildArguments: the line for '\(empty\)' is not NAME or NAME=VALUE/);
    assert.ok(!problems[0].includes('some-value-1234'));
  });

  it('secret arguments expand in FROM lines', () => {
    writeTree(root(), { Dockerfile: 'ARG BASE\nFROM $BASE\n' });

    assert.deepEqual(parse({ secretBuildArguments: 'BASE=python:3.12-slim' }).pulledImages.map((image) => image.reference), ['python:3.12-slim']);
  });

  describe('secrets in buildArguments', () => {
    const secretVariables = { npmToken: NPM_TOKEN, shortSecret: 'abc', 'feed.password': FEED_PASSWORD };

    it('value equal to a secret is rejected', () => {
      const problems = problemsOf({ buildArguments: `VERSION=1.0\nNPM_TOKEN=${NPM_TOKEN}` }, { secretVariables });

      assert.deepEqual(problems, [
        "Input buildArguments: the value of NPM_TOKEN contains the secret pipeline variable npmToken, and build arguments are part of the pod's spec, which anyone who may get pods can read. Move the line for NPM_TOKEN to secretBuildArguments.",
      ]);
    });

    it('value containing a secret is rejected', () => {
      const problems = problemsOf({ buildArguments: `FEED_URL=https://build:${FEED_PASSWORD}@feed.example.test` }, { secretVariables });

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], /the value of FEED_URL contains the secret pipeline variable feed\.password/);
      assert.ok(!problems[0].includes(FEED_PASSWORD));
    });

    for (const [input, text] of [['extraArgs', `--registry-map=index.docker.io=${NPM_TOKEN}`], ['labels', `token=${NPM_TOKEN}`]]) {
      it(`secret in ${input} is rejected`, () => {
        const problems = problemsOf({ [input]: text }, { secretVariables });

        assert.equal(problems.length, 1, problems.join('\n'));
        assert.match(problems[0], new RegExp(`^Input ${input} contains the value of the secret pipeline variable npmToken\\. .*Pass the secret through secretBuildArguments`));
        assert.ok(!problems[0].includes(NPM_TOKEN));
      });
    }

    it('short secrets are not looked for', () => {
      assert.deepEqual(parse({ buildArguments: 'LETTERS=abcdef' }, { secretVariables }).buildArguments, [{ name: 'LETTERS', value: 'abcdef' }]);
    });

    it('values without secrets pass', () => {
      const build = parse({ buildArguments: 'VERSION=1.0', secretBuildArguments: `NPM_TOKEN=${NPM_TOKEN}` }, { secretVariables });

      assert.deepEqual(build.buildArguments, [{ name: 'VERSION', value: '1.0' }]);
      assert.deepEqual(build.secretBuildArguments, [{ name: 'NPM_TOKEN', value: NPM_TOKEN }]);
    });
  });
});
