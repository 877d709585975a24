// Writes docs/inputs.md, the reference of the task's inputs and output variables, from
// task.json, so that the help text users see in the editor and the docs never differ.
//   node tools/docs/inputs.mjs          writes the file
//   node tools/docs/inputs.mjs --check  exits 1 when the file is out of date
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const taskPath = join(root, 'tasks', 'KanikoBuildV1', 'task.json');
const docPath = join(root, 'docs', 'inputs.md');

/** Returns the text of docs/inputs.md for the given task.json object. */
export function renderInputs(task) {
  const lines = [
    `# ${task.friendlyName}: inputs`,
    '',
    `\`${task.name}@${task.version.Major}\`. This page is generated from task.json by \`node tools/docs/inputs.mjs\`.`,
    '',
    'An input of the type *string (picker)* shows a list in the classic editor, which its service connection fills.',
    'You can still type any value, or a `$(variable)`, there and in YAML.',
    '',
  ];
  for (const group of task.groups) {
    const inputs = task.inputs.filter((input) => input.groupName === group.name);
    if (inputs.length === 0) continue;
    lines.push(`## ${group.displayName}`, '', '| Input | Type | Default | Description |', '|---|---|---|---|');
    for (const input of inputs) lines.push(inputRow(input));
    lines.push('');
  }
  lines.push('## Output variables', '', '| Variable | Description |', '|---|---|');
  for (const output of task.outputVariables) lines.push(`| \`${output.name}\` | ${cell(output.description)} |`);
  lines.push('');
  return lines.join('\n');
}

function inputRow(input) {
  const names = [input.name, ...(input.aliases ?? [])].map((name) => `\`${name}\``).join(' or ');
  const condition = input.visibleRule ? ` when ${input.visibleRule.replace(/\s*&&\s*/g, ' and ').replace(/\s*\|\|\s*/g, ' or ')}` : '';
  let required = '';
  if (input.required) required = ` (required${condition})`;
  else if (condition) required = ` (used${condition})`;
  const defaultValue = input.defaultValue ? `\`${cell(input.defaultValue)}\`` : '';
  return `| ${names}${required} | ${typeCell(input)} | ${defaultValue} | ${cell(input.helpMarkDown ?? input.label)} |`;
}

/** Names a pickList by the values it accepts: its options, or any string for an editable picker. */
function typeCell(input) {
  if (input.type !== 'pickList') return input.type;
  if (input.properties?.EditableOptions === 'True') return 'string (picker)';
  return `one of ${Object.keys(input.options ?? {}).map((value) => `\`${value}\``).join(', ')}`;
}

function cell(text) {
  return String(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const expected = renderInputs(JSON.parse(readFileSync(taskPath, 'utf8')));
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(docPath, 'utf8');
    } catch {
      // A missing file is out of date too.
    }
    if (current !== expected) {
      console.error('docs/inputs.md is out of date with task.json. Run `node tools/docs/inputs.mjs`.');
      process.exit(1);
    }
  } else {
    writeFileSync(docPath, expected);
    console.log(`wrote ${docPath}`);
  }
}
