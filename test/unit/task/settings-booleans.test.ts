// parseSettings with a boolean input that is neither true nor false.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSettings } from '../../../tasks/KanikoBuildV1/src/settings/parse';
import { rawRun, settingsProblems } from './support/raw-run';
import { useTempDir, writeTree } from './support/temp-dir';

describe('settings: boolean inputs', () => {
  const root = useTempDir();
  beforeEach(() => writeTree(root(), { Dockerfile: 'FROM alpine\n' }));
  const booleanInputs = (JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'tasks', 'KanikoBuildV1', 'task.json'), 'utf8')) as {
    inputs: { name: string; type: string }[];
  }).inputs.filter((input) => input.type === 'boolean').map((input) => input.name);

  for (const name of booleanInputs) {
    it(`${name} 'yes' is rejected`, () => {
      const problems = settingsProblems(rawRun(root(), { inputs: { [name]: 'yes' } }));

      assert.ok(problems.includes(`Input ${name}: 'yes' is not true or false. Enter true or false.`), problems.join('\n'));
    });
  }

  it('True in any case is accepted', () => {
    assert.equal(parseSettings(rawRun(root(), { inputs: { ociLabels: 'True', cache: 'FALSE' } })).kaniko.cache, undefined);
  });
});
