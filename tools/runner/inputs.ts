// Turns the inputs a test writes, like the `inputs:` of a pipeline step, into the values the
// agent passes to the task (TaskRunner.cs in microsoft/azure-pipelines-agent). Inputs not given
// take their task.json defaults. Values are trimmed and their `$(variable)` macros expanded.
// Relative `filePath` inputs are rooted in the sources directory. The service resolves aliases
// before the agent receives the inputs, and here an alias maps to its input's name the same way.
import { isAbsolute, resolve } from 'node:path';
import type { InputDefinition, TaskDefinition } from './task-definition';

export interface ResolvedInputs {
  /** Values by input name as task.json spells it. */
  values: Record<string, string>;
  /** Lower-case GUIDs named by `connectedService:*` inputs, in input order. */
  endpointIds: string[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

/** True when the text is a non-empty GUID in the `8-4-4-4-12` form the service uses for ids. */
export function isGuid(text: string): boolean {
  return GUID.test(text) && text !== EMPTY_GUID;
}

/**
 * Resolves the given inputs against the task definition.
 * @param variables every job variable, secret ones included, for `$(name)` macros.
 * @throws Error naming each unknown input, or an input given twice through an alias.
 */
export function resolveInputs(
  definition: TaskDefinition,
  givenInputs: Record<string, string | number | boolean>,
  variables: Record<string, string>,
  sourcesDirectory: string,
): ResolvedInputs {
  const values: Record<string, string> = {};
  for (const input of definition.inputs) {
    values[input.name] = (input.defaultValue ?? '').trim();
  }
  for (const [input, value] of matchGivenInputs(definition, givenInputs)) {
    values[input.name] = String(value).trim();
  }

  const lookup = variableLookup(variables);
  for (const input of definition.inputs) {
    values[input.name] = expandMacros(values[input.name], lookup);
    if (input.type.toLowerCase() === 'filepath') {
      values[input.name] = rootFilePath(values[input.name], sourcesDirectory);
    }
  }
  lowerCaseConnectionIds(definition, values);
  return { values, endpointIds: referencedEndpoints(definition, values) };
}

// The service passes a connection as its id in the lower-case form .NET's Guid.ToString()
// writes, so a GUID given in upper case reaches the task in lower case.
function lowerCaseConnectionIds(definition: TaskDefinition, values: Record<string, string>): void {
  for (const input of definition.inputs) {
    if (!input.type.toLowerCase().startsWith('connectedservice:')) continue;
    values[input.name] = values[input.name]
      .split(',')
      .map((part) => (isGuid(part.trim()) ? part.toLowerCase() : part))
      .join(',');
  }
}

function matchGivenInputs(
  definition: TaskDefinition,
  givenInputs: Record<string, string | number | boolean>,
): Array<[InputDefinition, string | number | boolean]> {
  const byName = new Map<string, InputDefinition>();
  for (const input of definition.inputs) {
    for (const name of [input.name, ...input.aliases]) byName.set(name.toLowerCase(), input);
  }

  const matched: Array<[InputDefinition, string | number | boolean]> = [];
  const unknown: string[] = [];
  const seen = new Map<InputDefinition, string>();
  for (const [key, value] of Object.entries(givenInputs)) {
    const input = byName.get(key.trim().toLowerCase());
    if (!input) {
      unknown.push(key);
      continue;
    }
    const earlier = seen.get(input);
    if (earlier !== undefined) {
      throw new Error(`Input "${input.name}" is given twice, as "${earlier}" and as "${key}". Give it once.`);
    }
    seen.set(input, key);
    matched.push([input, value]);
  }
  if (unknown.length > 0) {
    const accepted = definition.inputs.map((i) => [i.name, ...i.aliases].join('|')).join(', ');
    throw new Error(`Unknown input name(s) for task ${definition.name}: ${unknown.join(', ')}. Accepted: ${accepted}.`);
  }
  return matched;
}

function variableLookup(variables: Record<string, string>): Map<string, string> {
  const lookup = new Map<string, string>();
  for (const [name, value] of Object.entries(variables)) lookup.set(name.toLowerCase(), value);
  return lookup;
}

/** Replaces each `$(name)` whose variable exists. Unknown macros stay as written, as in the agent. */
export function expandMacros(text: string, lookup: Map<string, string>): string {
  return text.replace(/\$\(([^()]+)\)/g, (macro, name: string) => lookup.get(name.trim().toLowerCase()) ?? macro);
}

// The agent roots a relative path, an empty one included, in the primary repository's folder,
// which is Build.SourcesDirectory for a job with one checkout. So an empty filePath input
// reaches the task as the sources directory, which task-lib's filePathSupplied relies on.
function rootFilePath(value: string, sourcesDirectory: string): string {
  return isAbsolute(value) ? resolve(value) : resolve(sourcesDirectory, value);
}

function referencedEndpoints(definition: TaskDefinition, values: Record<string, string>): string[] {
  const ids: string[] = [];
  for (const input of definition.inputs) {
    if (!input.type.toLowerCase().startsWith('connectedservice:')) continue;
    for (const id of values[input.name].split(',').map((part) => part.trim())) {
      if (isGuid(id) && !ids.includes(id)) ids.push(id);
    }
  }
  return ids;
}
