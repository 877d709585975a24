// The parts of a task.json that the definition and YAML example checks read.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const repositoryRoot = path.join(__dirname, '..', '..', '..');
export const taskJsonPath = path.join(repositoryRoot, 'tasks', 'KanikoBuildV1', 'task.json');

export interface TaskInput {
  name: string;
  aliases?: string[];
  type: string;
  label?: string;
  defaultValue?: string | boolean;
  required?: boolean;
  groupName?: string;
  visibleRule?: string;
  options?: Record<string, string>;
  properties?: Record<string, string | boolean>;
  helpMarkDown?: string;
}

export interface DataSourceBinding {
  target?: string;
  endpointId?: string;
  dataSourceName?: string;
  endpointUrl?: string;
  parameters?: Record<string, string>;
  resultSelector?: string;
  resultTemplate?: string;
  callbackContextTemplate?: string;
  callbackRequiredTemplate?: string;
  initialContextTemplate?: string;
}

export interface TaskJson {
  name: string;
  version: { Major: number; Minor: number; Patch: number };
  groups?: { name: string; displayName: string }[];
  inputs: TaskInput[];
  dataSourceBindings?: DataSourceBinding[];
  messages?: Record<string, string>;
}

/** Reads the task's task.json, or another file of the same shape. */
export function readTaskJson(file = taskJsonPath): TaskJson {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as TaskJson;
}

/** True for a pickList that the classic editor lets the user type any value into. */
export function isEditable(input: TaskInput): boolean {
  return String(input.properties?.EditableOptions ?? '').toLowerCase() === 'true';
}

/**
 * Returns the values a boolean or pickList input accepts, or undefined when it accepts any value:
 * an input of another type, a pickList without options, or an editable pickList.
 */
export function allowedValues(input: TaskInput): string[] | undefined {
  if (input.type === 'boolean') return ['true', 'false'];
  if (input.type !== 'pickList' || isEditable(input)) return undefined;
  const options = Object.keys(input.options ?? {});
  return options.length > 0 ? options : undefined;
}

/**
 * Maps every input name and alias, upper-cased, to its input. The agent passes an input as the
 * environment variable INPUT_<NAME in upper case>, so names that differ only in case are one input.
 */
export function inputsByName(task: TaskJson): Map<string, TaskInput> {
  const byName = new Map<string, TaskInput>();
  for (const input of task.inputs) {
    for (const name of [input.name, ...(input.aliases ?? [])]) byName.set(name.toUpperCase(), input);
  }
  return byName;
}
