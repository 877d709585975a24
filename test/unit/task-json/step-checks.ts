// Checks the inputs of a KanikoBuild step in a YAML pipeline against task.json, as the service
// and the task read them. Every key must be an input name or alias, and every value must fit its
// input's type. Every required input that the step's options show must be given.
import { allowedValues, inputsByName, type TaskInput, type TaskJson } from './task-json';
import { evaluateVisibleRule, parseVisibleRule } from './visible-rule';

/** Inputs whose values are secrets, which a pipeline takes from a secret variable and never writes out. */
const SECRET_INPUTS = new Set(['storageAccessKey']);

/**
 * True for a value that the pipeline fills in later: a `$(variable)` macro, a `${{ }}` template
 * expression or a `$[ ]` runtime expression.
 */
export function isExpression(value: string): boolean {
  return /\$\(|\$\{\{|\$\[/.test(value);
}

/** Returns the steps of a parsed pipeline, at any depth, whose `task` names the given task. */
export function findTaskSteps(document: unknown, taskName: string): Record<string, unknown>[] {
  const steps: Record<string, unknown>[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (node !== null && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.task === 'string' && record.task.split('@')[0] === taskName) steps.push(record);
      Object.values(record).forEach(visit);
    }
  };
  visit(document);
  return steps;
}

/** Checks one step; `where` names it in each problem, such as `overview.md:140`. */
export function checkStep(task: TaskJson, step: Record<string, unknown>, where: string): string[] {
  const problems: string[] = [];
  const reference = String(step.task);
  if (reference !== `${task.name}@${task.version.Major}`) {
    problems.push(`${where}: task ${reference} is not ${task.name}@${task.version.Major}, the version task.json declares`);
  }
  const inputs = step.inputs ?? {};
  if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs)) {
    return [...problems, `${where}: inputs is not a mapping of input names to values`];
  }
  const stepInputs = matchInputs(task, inputs as Record<string, unknown>, where, problems);
  for (const [input, value] of stepInputs) problems.push(...checkValue(input, value, where));
  problems.push(...checkVisibility(task, stepInputs, where));
  problems.push(...checkTaskRules(task, stepInputs, where));
  return problems;
}

/** Returns the values that the step gives, by input, with each problem of a key added to `problems`. */
function matchInputs(
  task: TaskJson, inputs: Record<string, unknown>, where: string, problems: string[],
): Map<TaskInput, string> {
  const byName = inputsByName(task);
  const stepInputs = new Map<TaskInput, string>();
  const keyOf = new Map<TaskInput, string>();
  for (const [key, raw] of Object.entries(inputs)) {
    const input = byName.get(key.toUpperCase());
    if (!input) {
      problems.push(`${where}: input ${key} is neither an input name nor an alias in task.json`);
      continue;
    }
    if (keyOf.has(input)) {
      problems.push(`${where}: input ${input.name} is given twice, as ${keyOf.get(input)} and as ${key}`);
      continue;
    }
    keyOf.set(input, key);
    if (raw !== null && typeof raw === 'object') {
      problems.push(`${where}: input ${key} has a ${Array.isArray(raw) ? 'list' : 'mapping'} as its value; inputs take text`);
      continue;
    }
    stepInputs.set(input, raw === null || raw === undefined ? '' : String(raw));
  }
  return stepInputs;
}

function checkValue(input: TaskInput, value: string, where: string): string[] {
  if (isExpression(value)) return [];
  const trimmed = value.trim();
  if (SECRET_INPUTS.has(input.name) && trimmed !== '') {
    return [`${where}: input ${input.name} is a secret written into the YAML; take it from a secret variable, such as $(storageKey)`];
  }
  if (input.type === 'boolean') {
    // task-lib's getBoolInput treats every value other than `true` (in any case) as false.
    return /^(true|false)$/i.test(trimmed) ? [] : [`${where}: input ${input.name} is boolean, but its value is "${value}"`];
  }
  if (input.type === 'int' && !/^-?\d+$/.test(trimmed)) {
    return [`${where}: input ${input.name} takes a whole number, but its value is "${value}"`];
  }
  const allowed = allowedValues(input);
  if (allowed && !allowed.includes(trimmed)) {
    return [`${where}: input ${input.name} is "${value}", which is not one of its values: ${allowed.join(', ')}`];
  }
  if (input.type.startsWith('connectedService:') && trimmed === '') return [`${where}: input ${input.name} names no connection`];
  return [];
}

/**
 * Checks that every required input that the step's options show is given, and that no given
 * input is one the step's options hide. Defaults count as given. A visible rule that depends on
 * a `$(variable)` cannot be decided here, so its input is not checked.
 */
function checkVisibility(task: TaskJson, stepInputs: Map<TaskInput, string>, where: string): string[] {
  const values = new Map<string, string | undefined>();
  for (const input of task.inputs) {
    const value = stepInputs.get(input) ?? String(input.defaultValue ?? '');
    values.set(input.name, isExpression(value) ? undefined : value.trim());
  }
  const problems: string[] = [];
  for (const input of task.inputs) {
    const visible = input.visibleRule === undefined ? true : evaluateVisibleRule(parseVisibleRule(input.visibleRule), values);
    const value = stepInputs.get(input) ?? String(input.defaultValue ?? '');
    if (input.required && visible === true && value.trim() === '') {
      const reason = input.visibleRule === undefined ? '' : ` (it is shown because ${input.visibleRule})`;
      problems.push(`${where}: required input ${input.name} is missing${reason}`);
    }
    if (stepInputs.has(input) && visible === false) {
      problems.push(`${where}: input ${input.name} is set, but its visibleRule "${input.visibleRule}" hides it for this step's options`);
    }
  }
  return problems;
}

/** The values of a step's inputs by name, defaults included, for the task rules. */
interface StepValues {
  /** The value, or undefined when it is an expression that only the run fills in. */
  value(name: string): string | undefined;
  /** True when the value is not empty; an expression counts as set. */
  isSet(name: string): boolean;
}

/**
 * Input combinations that the task's settings code rejects before it creates anything, though
 * task.json cannot express them. `message` is the task.json message that the task fails with.
 * `applies` returns undefined when it depends on a value that only the run fills in.
 */
export const TASK_RULES: { message: string; applies(step: StepValues): boolean | undefined }[] = [
  {
    message: 'StorageCredentialsMissing',
    applies: (step) => whenKnown(step.value('contextDelivery'), (delivery) =>
      delivery !== 'direct' && !step.isSet('storageAccessKey') && !step.isSet('storageConnection')),
  },
  {
    message: 'StorageCredentialsBoth',
    applies: (step) => whenKnown(step.value('contextDelivery'), (delivery) =>
      delivery !== 'direct' && step.isSet('storageAccessKey') && step.isSet('storageConnection')),
  },
  {
    message: 'AccountKeyDeliveryNeedsKey',
    applies: (step) => whenKnown(step.value('contextDelivery'), (delivery) => delivery === 'accountKey' && !step.isSet('storageAccessKey')),
  },
  {
    message: 'ServiceAccountMissing',
    applies: (step) => whenKnown(step.value('registryCredentials'), (credentials) =>
      credentials === 'workloadIdentity' && !step.isSet('serviceAccount') && step.value('createNamespace')?.toLowerCase() === 'false'),
  },
  {
    message: 'CreateNamespaceWorkloadIdentity',
    applies: (step) => whenKnown(step.value('registryCredentials'), (credentials) =>
      credentials === 'workloadIdentity' && step.value('createNamespace')?.toLowerCase() === 'true'),
  },
];

function whenKnown(value: string | undefined, test: (value: string) => boolean): boolean | undefined {
  return value === undefined ? undefined : test(value);
}

function checkTaskRules(task: TaskJson, stepInputs: Map<TaskInput, string>, where: string): string[] {
  const messages = task.messages ?? {};
  const text = (name: string): string => {
    const input = task.inputs.find((candidate) => candidate.name === name);
    return ((input && stepInputs.get(input)) ?? String(input?.defaultValue ?? '')).trim();
  };
  const step: StepValues = {
    value: (name) => (isExpression(text(name)) ? undefined : text(name)),
    isSet: (name) => text(name) !== '',
  };
  return TASK_RULES.filter((rule) => rule.applies(step) === true)
    .map((rule) => `${where}: the task would reject these inputs: ${messages[rule.message] ?? rule.message}`);
}
