// docs/inputs.md must match task.json, from which it is generated.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

describe('docs/inputs.md', () => {
  it('matches task.json', async () => {
    const { renderInputs } = (await import(path.join(root, 'tools', 'docs', 'inputs.mjs'))) as {
      renderInputs: (task: unknown) => string;
    };
    const task = JSON.parse(fs.readFileSync(path.join(root, 'tasks', 'KanikoBuildV1', 'task.json'), 'utf8'));
    const current = fs.readFileSync(path.join(root, 'docs', 'inputs.md'), 'utf8');
    assert.equal(current, renderInputs(task), 'docs/inputs.md is out of date: run `node tools/docs/inputs.mjs`');
  });

  it('lists every input', () => {
    const task = JSON.parse(fs.readFileSync(path.join(root, 'tasks', 'KanikoBuildV1', 'task.json'), 'utf8')) as {
      inputs: { name: string }[];
    };
    const text = fs.readFileSync(path.join(root, 'docs', 'inputs.md'), 'utf8');
    for (const input of task.inputs) assert.ok(text.includes(`| \`${input.name}\``), `${input.name} has no row`);
  });
});
