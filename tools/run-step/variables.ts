// Gives every `$(name)` that a step uses a value: from --variable, from the pipeline file, from
// an environment variable, or from the variables the agent-like runner predefines. A variable
// used by a secret input must come from the environment, so its value never appears in a
// process's arguments.
import { toEnvironmentName } from '../runner/environment';
import { StepInputError } from './errors';
import type { PipelineStep } from './pipeline';

/** The `$(name)` macro, as the agent expands it in inputs. */
const MACRO = /\$\(([^()]+)\)/g;
/** The maximum depth of variables that refer to other variables. */
const MAX_NESTING = 10;

export interface VariableSources {
  /** `--variable NAME=VALUE` values. */
  commandLine: Record<string, string>;
  environment: Record<string, string | undefined>;
  /** Lower-case names of the variables that the runner predefines, such as `build.sourcesdirectory`. */
  predefined: Set<string>;
  /** Inputs whose values are secrets, such as `storageAccessKey`. */
  secretInputs: ReadonlySet<string>;
  /** Names given with --secret: variables that must come from the environment and are masked. */
  secretNames: string[];
  /**
   * Secret variables that the step reads by name rather than through `$(NAME)`, such as the
   * `NAME` lines of secretBuildArguments: they come from the environment and are masked.
   */
  namedSecrets?: string[];
}

export interface StepVariables {
  /** Plain variables for the runner: the file's, --variable values, and those read from the environment. */
  variables: Record<string, string>;
  /** Secret variables for the runner, which masks them in the log. */
  secretVariables: Record<string, string>;
}

/**
 * Resolves the variables of `step`.
 * @throws StepInputError naming each variable without a value, and each secret given on the command line.
 */
export function resolveVariables(step: PipelineStep, sources: VariableSources): StepVariables {
  const namedSecrets = sources.namedSecrets ?? [];
  const secretList = [...secretVariableNames(step, sources.secretInputs), ...sources.secretNames, ...namedSecrets];
  const secretNames = new Set(secretList.map((name) => name.toLowerCase()));
  const onCommandLine = [...new Set(secretList.filter((name) => findKey(sources.commandLine, name.toLowerCase()) !== undefined))];
  if (onCommandLine.length > 0) {
    throw new StepInputError(`Secret variable(s) ${onCommandLine.join(', ')} must not be given with --variable, where other users of this `
      + `machine can read them in the process list. Set the environment variable(s) ${onCommandLine.map(toEnvironmentName).join(', ')} instead.`);
  }

  const variables = mergeIgnoringCase(step.variables, sources.commandLine);
  const secretVariables: Record<string, string> = {};
  const missing: string[] = [];
  const referenced = referencedNames(step, variables);
  const names = [...referenced, ...namedSecrets.filter((name) => !referenced.some((other) => other.toLowerCase() === name.toLowerCase()))];
  for (const name of names) {
    const key = name.toLowerCase();
    const fromEnvironment = sources.environment[toEnvironmentName(name)];
    if (secretNames.has(key)) {
      const value = fromEnvironment ?? valueOf(variables, key);
      if (value === undefined) missing.push(name);
      else secretVariables[name] = value;
      removeKey(variables, key);
    } else if (valueOf(variables, key) === undefined && !sources.predefined.has(key)) {
      if (fromEnvironment === undefined) missing.push(name);
      else variables[name] = fromEnvironment;
    }
  }
  if (missing.length > 0) throw new StepInputError(missingMessage(missing, secretNames, step));
  return { variables: expandAll(variables, secretVariables), secretVariables };
}

/** Returns the names of the variables that the step's secret inputs use. */
function secretVariableNames(step: PipelineStep, secretInputs: ReadonlySet<string>): string[] {
  const secret = new Set([...secretInputs].map((name) => name.toLowerCase()));
  return Object.entries(step.inputs).filter(([input]) => secret.has(input.toLowerCase())).flatMap(([, value]) => macroNames(value));
}

/** Returns every variable name that the step's inputs and env use, also through the values of other variables. */
function referencedNames(step: PipelineStep, variables: Record<string, string>): string[] {
  const names = new Map<string, string>();
  let pending = [...Object.values(step.inputs), ...Object.values(step.env)].flatMap(macroNames);
  for (let depth = 0; pending.length > 0 && depth < MAX_NESTING; depth += 1) {
    const next: string[] = [];
    for (const name of pending) {
      if (names.has(name.toLowerCase())) continue;
      names.set(name.toLowerCase(), name);
      const value = valueOf(variables, name.toLowerCase());
      if (value !== undefined) next.push(...macroNames(value));
    }
    pending = next;
  }
  return [...names.values()];
}

function macroNames(text: string): string[] {
  return [...text.matchAll(MACRO)].map((match) => match[1].trim());
}

/**
 * Expands the macros inside variable values, as the agent does when a job starts, so that an
 * input that uses a variable gets its final value. Unknown macros stay as written.
 */
function expandAll(variables: Record<string, string>, secretVariables: Record<string, string>): Record<string, string> {
  const all = { ...variables, ...secretVariables };
  const expand = (text: string, depth: number): string => (depth >= MAX_NESTING ? text : text.replace(MACRO, (macro, name: string) => {
    const value = valueOf(all, name.trim().toLowerCase());
    return value === undefined ? macro : expand(value, depth + 1);
  }));
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, expand(value, 0)]));
}

function missingMessage(missing: string[], secretNames: Set<string>, step: PipelineStep): string {
  const lines = missing.map((name) => {
    const environmentName = toEnvironmentName(name);
    return secretNames.has(name.toLowerCase())
      ? `  ${name} (secret): set the environment variable ${environmentName}`
      : `  ${name}: pass --variable ${name}=VALUE, or set the environment variable ${environmentName}`;
  });
  const sources = step.variableSources.length > 0 ? `\nThe pipeline file also takes variables from ${step.variableSources.join(', ')}, which this command cannot read.` : '';
  return `The step uses ${missing.length} pipeline variable(s) that have no value:\n${lines.join('\n')}${sources}`;
}

/** Returns `base` with the values of `overrides`; names that differ only in case are one variable, as in Azure Pipelines. */
export function mergeIgnoringCase(base: Record<string, string>, overrides: Record<string, string>): Record<string, string> {
  const merged = { ...base };
  for (const [name, value] of Object.entries(overrides)) {
    removeKey(merged, name.toLowerCase());
    merged[name] = value;
  }
  return merged;
}

function findKey(values: Record<string, string>, lowerCaseName: string): string | undefined {
  return Object.keys(values).find((key) => key.toLowerCase() === lowerCaseName);
}

function valueOf(values: Record<string, string>, lowerCaseName: string): string | undefined {
  const key = findKey(values, lowerCaseName);
  return key === undefined ? undefined : values[key];
}

function removeKey(values: Record<string, string>, lowerCaseName: string): void {
  const key = findKey(values, lowerCaseName);
  if (key !== undefined) delete values[key];
}
