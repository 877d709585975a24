// parseSettings reports every invalid input in one error, and never shows the storage key.
import { strict as assert } from 'node:assert';
import { parseSettings } from '../../../tasks/KanikoBuildV1/src/settings/parse';
import type { RawInputs } from '../../../tasks/KanikoBuildV1/src/settings/raw';
import { rawRun, settingsErrorMessage, settingsProblems, STORAGE_KEY } from './support/raw-run';
import { useTempDir, writeTree } from './support/temp-dir';

/** One invalid value for each input that parseSettings checks on its own. */
const INVALID_INPUTS: Partial<RawInputs> = {
  namespace: 'Bad_Namespace',
  repository: 'Team/Web',
  tags: '-bad-tag',
  dockerfile: 'missing/Dockerfile',
  buildArguments: 'NO_VALUE',
  storageAccount: 'Bad-Account',
  storageContainer: 'x',
  storageAccessKey: `${STORAGE_KEY}!`,
  storageBlobEndpoint: 'http://storage.example.test',
  executorImage: 'Kaniko:',
  cpuLimit: 'many',
  memoryLimit: '0',
  buildTimeoutInMinutes: '0',
};

describe('settings: problem report', () => {
  const root = useTempDir();
  beforeEach(() => writeTree(root(), { Dockerfile: 'FROM alpine AS base\n' }));

  it('valid run parses without error', () => {
    const settings = parseSettings(rawRun(root()));

    assert.equal(settings.run.buildId, '1234');
    assert.equal(settings.run.teamProject, 'Fabrikam Web');
    assert.equal(settings.run.buildUrl, 'https://dev.azure.example.test/fabrikam/Fabrikam%20Web/_build/results?buildId=1234');
  });

  it('build URL needs collection, project and id', () => {
    const run = rawRun(root());
    run.variables.collectionUri = '';

    assert.equal(parseSettings(run).run.buildUrl, undefined);
  });

  it('every invalid input is in one error', () => {
    const message = settingsErrorMessage(rawRun(root(), { inputs: INVALID_INPUTS }));
    const problems = message.split('\n').filter((line) => line.startsWith('  - '));
    const inputNames = Object.keys(INVALID_INPUTS);

    assert.match(message, new RegExp(`^Found ${inputNames.length} invalid setting\\(s\\); nothing was created:`));
    assert.equal(problems.length, inputNames.length, message);
    for (const input of inputNames) {
      assert.ok(problems.some((problem) => problem.startsWith(`  - Input ${input}:`)), `${input} is not reported in:\n${message}`);
    }
  });

  it('connection problems join input problems', () => {
    const message = settingsErrorMessage(rawRun(root(), {
      inputs: { tags: '', storageAccount: '' }, kubernetesEndpoint: null, registryEndpoint: null,
    }));

    assert.match(message, /^Found 4 invalid setting\(s\)/);
    for (const input of ['kubernetesServiceConnection', 'containerRegistry', 'tags', 'storageAccount']) {
      assert.ok(message.includes(`Input ${input}:`), `${input} is not reported in:\n${message}`);
    }
  });

  const keyRuns = [
    { name: 'valid key', key: STORAGE_KEY },
    { name: 'invalid base64 key', key: `${STORAGE_KEY}!` },
    { name: 'key of wrong length', key: STORAGE_KEY.slice(0, -1) },
  ];
  for (const { name, key } of keyRuns) {
    it(`storage key not in error: ${name}`, () => {
      const message = settingsErrorMessage(rawRun(root(), { inputs: { ...INVALID_INPUTS, storageAccessKey: key } }));

      assert.ok(!message.includes(key), `the key appears in:\n${message}`);
      assert.ok(!message.includes(STORAGE_KEY.slice(0, 24)), `part of the key appears in:\n${message}`);
    });
  }

  it('problems are listed one a line', () => {
    const problems = settingsProblems(rawRun(root(), { inputs: { tags: '-a\n-b' } }));

    assert.equal(problems.length, 2);
    assert.ok(problems[0].startsWith("Input tags: '-a'"), problems[0]);
    assert.ok(problems[1].startsWith("Input tags: '-b'"), problems[1]);
  });
});
