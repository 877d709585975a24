// Checks of a task.json's inner consistency that the JSON schema cannot express: visible rules,
// groups, names and aliases, defaults, data source bindings and help links. Each check returns
// one sentence per problem, so a test can list them all at once.
import { allowedValues, isEditable, type DataSourceBinding, type TaskInput, type TaskJson } from './task-json';
import { parseVisibleRule } from './visible-rule';

/**
 * Endpoint fields that bindings may use, as `{{{endpoint.name}}}` or `$(endpoint.name)`: the
 * connection's URL and, for Azure Resource Manager connections, its subscription id. Microsoft's
 * HelmDeployV1 and KubernetesManifestV1 task.json files use both in their AKS bindings.
 */
const ENDPOINT_FIELDS = new Set(['url', 'subscriptionId']);

/**
 * Data sources of the AzureRM connection type that this task binds to, as Microsoft's tasks use
 * them: AzureStorageAccountRM in AzureFileCopyV6, AzureStorageContainer (with the parameter
 * storageAccount) in JavaToolInstallerV1. The service defines them, so a misspelt name leaves
 * the list empty without an error; this set catches that.
 */
const AZURE_RM_DATA_SOURCES = new Set(['AzureStorageAccountRM', 'AzureStorageContainer']);

/** Checks that visible rules parse, name existing inputs, and compare pickLists and booleans only with their values. */
export function checkVisibleRules(task: TaskJson): string[] {
  const problems: string[] = [];
  const byName = new Map(task.inputs.map((input) => [input.name, input]));
  for (const input of task.inputs) {
    if (input.visibleRule === undefined) continue;
    let clauses;
    try {
      clauses = parseVisibleRule(input.visibleRule).clauses;
    } catch (error) {
      problems.push(`visibleRule of ${input.name} cannot be parsed: ${(error as Error).message}`);
      continue;
    }
    for (const clause of clauses) {
      const referenced = byName.get(clause.name);
      if (!referenced) {
        problems.push(`visibleRule of ${input.name} refers to ${clause.name}, which is not an input name`);
        continue;
      }
      if (referenced === input) problems.push(`visibleRule of ${input.name} refers to the input itself`);
      const allowed = allowedValues(referenced);
      const comparesEquality = ['=', '==', '!='].includes(clause.operator);
      if (allowed && comparesEquality && !allowed.includes(clause.value)) {
        problems.push(
          `visibleRule of ${input.name} compares ${clause.name} with "${clause.value}", which is not one of its values: ${allowed.join(', ')}`,
        );
      }
    }
  }
  return problems;
}

/** Checks that every group an input names exists, that every group contains an input, and that group names are unique. */
export function checkGroups(task: TaskJson): string[] {
  const problems: string[] = [];
  const groups = task.groups ?? [];
  const names = new Set<string>();
  for (const group of groups) {
    if (names.has(group.name)) problems.push(`group ${group.name} is declared twice`);
    names.add(group.name);
  }
  for (const input of task.inputs) {
    if (input.groupName !== undefined && !names.has(input.groupName)) {
      problems.push(`input ${input.name} is in group ${input.groupName}, which is not declared`);
    }
  }
  for (const group of groups) {
    if (!task.inputs.some((input) => input.groupName === group.name)) problems.push(`group ${group.name} contains no input`);
  }
  return problems;
}

/**
 * Checks that names and aliases are unique. The agent passes each input as the variable
 * INPUT_<NAME in upper case>, so two that differ only in case are the same input.
 */
export function checkNamesAndAliases(task: TaskJson): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const input of task.inputs) {
    for (const name of [input.name, ...(input.aliases ?? [])]) {
      const first = seen.get(name.toUpperCase());
      if (first !== undefined) problems.push(`input name or alias ${name} (of ${input.name}) repeats ${first}, ignoring case`);
      else seen.set(name.toUpperCase(), `${name} of ${input.name}`);
    }
  }
  return problems;
}

/** Checks that pickList and boolean defaults are among their values and that int defaults are whole numbers. */
export function checkDefaults(task: TaskJson): string[] {
  const problems: string[] = [];
  for (const input of task.inputs) {
    if (input.defaultValue === undefined || input.defaultValue === '') continue;
    const value = String(input.defaultValue);
    const allowed = allowedValues(input);
    if (allowed && !allowed.includes(value)) {
      problems.push(`default "${value}" of ${input.name} is not one of its values: ${allowed.join(', ')}`);
    }
    if (input.type === 'int' && !/^-?\d+$/.test(value)) problems.push(`default "${value}" of int input ${input.name} is not a whole number`);
  }
  return problems;
}

/** Checks every data source binding, and that every pickList without options has one. */
export function checkDataSourceBindings(task: TaskJson): string[] {
  const problems: string[] = [];
  const byName = new Map(task.inputs.map((input) => [input.name, input]));
  const bindings = task.dataSourceBindings ?? [];
  const targets = new Set<string>();
  for (const [index, binding] of bindings.entries()) {
    const where = `dataSourceBinding ${index} (target ${binding.target ?? 'missing'})`;
    if (binding.target !== undefined && targets.has(binding.target)) problems.push(`${where} repeats the target of an earlier binding`);
    if (binding.target !== undefined) targets.add(binding.target);
    problems.push(...checkTarget(binding, byName, where));
    problems.push(...checkEndpoint(binding, byName, where));
    problems.push(...checkReferences(binding, byName, where));
    problems.push(...checkSource(binding, byName, where));
  }
  for (const input of task.inputs) {
    if (input.type === 'pickList' && Object.keys(input.options ?? {}).length === 0 && !targets.has(input.name)) {
      problems.push(`pickList ${input.name} has neither options nor a dataSourceBinding, so its list is empty`);
    }
  }
  return problems;
}

function checkTarget(binding: DataSourceBinding, byName: Map<string, TaskInput>, where: string): string[] {
  if (binding.target === undefined) return [`${where} has no target`];
  const input = byName.get(binding.target);
  if (!input) return [`${where} targets ${binding.target}, which is not an input name`];
  // A picker stays editable, so that a typed name or a $(variable) still works.
  if (input.type !== 'pickList' || !isEditable(input)) {
    return [`${where} targets ${input.name}, which is not a pickList with properties.EditableOptions "True"`];
  }
  return [];
}

function checkEndpoint(binding: DataSourceBinding, byName: Map<string, TaskInput>, where: string): string[] {
  const match = /^\$\(([A-Za-z][A-Za-z0-9]*)\)$/.exec(binding.endpointId ?? '');
  if (!match) return [`${where} has endpointId "${binding.endpointId ?? ''}", which is not $(input)`];
  const input = byName.get(match[1]);
  if (!input) return [`${where} has endpointId $(${match[1]}), which is not an input name`];
  if (!input.type.startsWith('connectedService:')) return [`${where} has endpointId $(${match[1]}), which is not a connectedService input`];
  return [];
}

/** Checks each `$(name)` in the binding's fields, and each `{{name}}` of its URL. */
function checkReferences(binding: DataSourceBinding, byName: Map<string, TaskInput>, where: string): string[] {
  const problems: string[] = [];
  const fields: [string, string][] = [
    ['endpointUrl', binding.endpointUrl ?? ''],
    ['dataSourceName', binding.dataSourceName ?? ''],
    ['resultTemplate', binding.resultTemplate ?? ''],
    ...Object.entries(binding.parameters ?? {}).map(([key, value]): [string, string] => [`parameters.${key}`, String(value)]),
  ];
  for (const [field, text] of fields) {
    for (const [, name] of text.matchAll(/\$\(([^)]*)\)/g)) {
      const endpointField = /^endpoint\.(.+)$/.exec(name)?.[1];
      if (endpointField !== undefined ? !ENDPOINT_FIELDS.has(endpointField) : !byName.has(name)) {
        problems.push(`${where}: ${field} refers to $(${name}), which is neither an input name nor endpoint.${[...ENDPOINT_FIELDS].join(' or endpoint.')}`);
      }
    }
  }
  const contextKeys = parseContextKeys(binding, where, problems);
  for (const name of mustacheNames(binding.endpointUrl ?? '')) {
    const endpointField = /^endpoint\.(.+)$/.exec(name)?.[1];
    if (endpointField !== undefined ? !ENDPOINT_FIELDS.has(endpointField) : !contextKeys.has(name)) {
      problems.push(`${where}: endpointUrl uses {{${name}}}, which is neither an endpoint field nor a key of initialContextTemplate`);
    }
  }
  return problems;
}

/** Returns the keys of initialContextTemplate, after checking that the three paging templates come together. */
function parseContextKeys(binding: DataSourceBinding, where: string, problems: string[]): Set<string> {
  const paging = [binding.initialContextTemplate, binding.callbackContextTemplate, binding.callbackRequiredTemplate];
  if (paging.some((text) => text !== undefined) && paging.some((text) => text === undefined)) {
    problems.push(`${where} has only some of initialContextTemplate, callbackContextTemplate and callbackRequiredTemplate`);
  }
  if (binding.initialContextTemplate === undefined) return new Set();
  try {
    return new Set(Object.keys(JSON.parse(binding.initialContextTemplate) as object));
  } catch {
    problems.push(`${where} has an initialContextTemplate that is not JSON`);
    return new Set();
  }
}

/** Returns the variable names in a Mustache template, leaving out helpers (`{{#helper ...}}`) and closing tags. */
export function mustacheNames(template: string): string[] {
  return [...template.matchAll(/\{\{\{?\s*([^{}#/\s]+)\s*\}?\}\}/g)].map((match) => match[1]);
}

function checkSource(binding: DataSourceBinding, byName: Map<string, TaskInput>, where: string): string[] {
  if (binding.dataSourceName === undefined && binding.endpointUrl === undefined) return [`${where} has neither dataSourceName nor endpointUrl`];
  const endpointInput = byName.get(/^\$\((\w+)\)$/.exec(binding.endpointId ?? '')?.[1] ?? '');
  const problems: string[] = [];
  if (binding.dataSourceName !== undefined) {
    if (!AZURE_RM_DATA_SOURCES.has(binding.dataSourceName)) {
      problems.push(`${where} uses the data source ${binding.dataSourceName}, which is not one of: ${[...AZURE_RM_DATA_SOURCES].join(', ')}`);
    } else if (endpointInput && endpointInput.type !== 'connectedService:AzureRM') {
      problems.push(`${where} uses the AzureRM data source ${binding.dataSourceName} with ${endpointInput.name}, a ${endpointInput.type} input`);
    }
  }
  if (binding.endpointUrl !== undefined) problems.push(...checkEndpointUrl(binding.endpointUrl, where));
  return problems;
}

/** Checks that the URL, with every placeholder filled, is an https URL with an api-version. */
function checkEndpointUrl(endpointUrl: string, where: string): string[] {
  // A reserved host name (RFC 2606): the filled URL is parsed, never requested.
  const filled = endpointUrl
    .replace(/\{\{\{?\s*endpoint\.url\s*\}?\}\}/g, 'https://resource-manager.invalid')
    .replace(/\{\{\{?[^{}]*\}?\}\}/g, 'value')
    .replace(/\$\([^)]*\)/g, 'value');
  let url: URL;
  try {
    url = new URL(filled);
  } catch {
    return [`${where} has an endpointUrl that is not a URL once filled in: ${filled}`];
  }
  const problems: string[] = [];
  if (url.protocol !== 'https:') problems.push(`${where} has an endpointUrl that does not start with {{{endpoint.url}}} or https`);
  if (url.pathname.includes('//')) problems.push(`${where} has an endpointUrl with an empty path segment: ${url.pathname}`);
  if (!url.searchParams.get('api-version')) problems.push(`${where} has an endpointUrl without api-version`);
  return problems;
}
