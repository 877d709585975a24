// Finds the KanikoBuild@1 steps of a pipeline YAML file, with the variables the file defines
// for each, and selects one of them.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { StepInputError } from './errors';

/** `KanikoBuild@1`, optionally with the extension's publisher and name in front, as YAML may write it. */
const TASK_REFERENCE = /^(?:[\w-]+\.[\w-]+\.)?KanikoBuild@1$/i;

/** A KanikoBuild@1 step as the pipeline file writes it. */
export interface PipelineStep {
  /** The step's position among the file's KanikoBuild@1 steps, from 1. */
  position: number;
  /** The step's `name:`, through which later steps read its output variables. */
  name?: string;
  displayName?: string;
  /** The step's `inputs:`, as text. */
  inputs: Record<string, string>;
  /** The step's `env:`, which the agent adds to the task's environment. */
  env: Record<string, string>;
  /** Variables the file defines where the step runs: a job's override a stage's, which override the pipeline's. */
  variables: Record<string, string>;
  /** Variable groups and variable templates where the step runs, whose values the file does not show. */
  variableSources: string[];
  /** The step's place in the file, such as `stage Build, job BuildImage`. */
  location: string;
}

interface Scope {
  variables: Record<string, string>;
  variableSources: string[];
  location: string[];
}

/** Reads the pipeline file and returns its KanikoBuild@1 steps in file order. */
export function readPipelineSteps(file: string): PipelineStep[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new StepInputError(`Cannot read the pipeline file ${file}: ${(error as Error).message}`, { cause: error });
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new StepInputError(`The pipeline file ${file} is not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  if (!isObject(document)) throw new StepInputError(`The pipeline file ${file} is not a YAML mapping with steps, jobs or stages.`);
  const steps: PipelineStep[] = [];
  collectSteps(document, { variables: {}, variableSources: [], location: [] }, steps);
  return steps;
}

/**
 * Walks stages, jobs and deployment strategies down to their `steps:`. Variables of an inner
 * scope replace those of an outer one with the same name, ignoring case, as in Azure Pipelines.
 */
function collectSteps(node: Record<string, unknown>, outer: Scope, steps: PipelineStep[]): void {
  const scope = innerScope(node, outer);
  if (Array.isArray(node.steps)) {
    for (const step of node.steps) {
      if (isObject(step) && typeof step.task === 'string' && TASK_REFERENCE.test(step.task.trim())) {
        steps.push(toPipelineStep(step, scope, steps.length + 1));
      }
    }
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === 'steps' || key === 'variables' || key === 'parameters') continue;
    for (const child of Array.isArray(value) ? value : [value]) {
      if (isObject(child)) collectSteps(child, scope, steps);
    }
  }
}

function innerScope(node: Record<string, unknown>, outer: Scope): Scope {
  const label = ['stage', 'job', 'deployment'].find((key) => typeof node[key] === 'string');
  const location = label ? [...outer.location, `${label} ${String(node[label])}`] : outer.location;
  const variables = { ...outer.variables };
  const variableSources = [...outer.variableSources];
  const declared = node.variables;
  if (isObject(declared)) {
    for (const [name, value] of Object.entries(declared)) setVariable(variables, name, value);
  } else if (Array.isArray(declared)) {
    for (const entry of declared) {
      if (!isObject(entry)) continue;
      if (typeof entry.name === 'string') setVariable(variables, entry.name, entry.value);
      else if (typeof entry.group === 'string') variableSources.push(`variable group ${entry.group}`);
      else if (typeof entry.template === 'string') variableSources.push(`variable template ${entry.template}`);
    }
  }
  return { variables, variableSources, location };
}

function setVariable(variables: Record<string, string>, name: string, value: unknown): void {
  const existing = Object.keys(variables).find((key) => key.toLowerCase() === name.toLowerCase());
  if (existing !== undefined) delete variables[existing];
  variables[name] = value === null || value === undefined ? '' : String(value);
}

function toPipelineStep(step: Record<string, unknown>, scope: Scope, position: number): PipelineStep {
  return {
    position,
    name: typeof step.name === 'string' ? step.name : undefined,
    displayName: typeof step.displayName === 'string' ? step.displayName : undefined,
    inputs: textValues(step.inputs),
    env: textValues(step.env),
    variables: scope.variables,
    variableSources: scope.variableSources,
    location: scope.location.join(', ') || 'top-level steps',
  };
}

function textValues(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, item === null || item === undefined ? '' : String(item)]));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Selects the step that `selector` names: its position from 1, its `name:` or its
 * `displayName:`, ignoring case. Without a selector the file must have exactly one KanikoBuild@1 step.
 */
export function selectStep(steps: PipelineStep[], selector: string | undefined, file: string): PipelineStep {
  if (steps.length === 0) throw new StepInputError(`The pipeline file ${file} has no KanikoBuild@1 step.`);
  if (selector === undefined) {
    if (steps.length === 1) return steps[0];
    throw new StepInputError(`The pipeline file ${file} has ${steps.length} KanikoBuild@1 steps:\n${listSteps(steps)}\n`
      + 'Choose one with --step NAME, --step "DISPLAY NAME" or --step NUMBER.');
  }
  if (/^\d+$/.test(selector)) {
    const step = steps[Number(selector) - 1];
    if (step) return step;
    throw new StepInputError(`--step ${selector}: the pipeline file ${file} has ${steps.length} KanikoBuild@1 step(s), numbered from 1:\n${listSteps(steps)}`);
  }
  const requested = selector.toLowerCase();
  const byName = steps.filter((step) => step.name?.toLowerCase() === requested);
  const matches = byName.length > 0 ? byName : steps.filter((step) => step.displayName?.toLowerCase() === requested);
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new StepInputError(`--step "${selector}" matches ${matches.length} KanikoBuild@1 steps in ${file}:\n${listSteps(matches)}\nChoose one by its number.`);
  }
  throw new StepInputError(`--step "${selector}": no KanikoBuild@1 step in ${file} has this name or display name. Its steps:\n${listSteps(steps)}`);
}

function listSteps(steps: PipelineStep[]): string {
  return steps.map((step) => {
    const names = [step.name ? `name: ${step.name}` : undefined, step.displayName ? `displayName: ${step.displayName}` : undefined].filter(Boolean);
    return `  ${step.position}. ${names.join(', ') || '(no name)'} (${step.location})`;
  }).join('\n');
}
