// Turns a pipeline file's KanikoBuild@1 step into the options with which the agent-like runner
// runs the built task: the step's inputs, its variables, and stand-ins for its service connections.
import { join, resolve } from 'node:path';
import { SECRET_INPUTS, SECRET_LINES_INPUTS } from '../../tasks/KanikoBuildV1/src/settings/raw';
import { defaultVariables, stepVariables } from '../runner/agent-variables';
import { expandMacros } from '../runner/inputs';
import { readTaskDefinition } from '../runner/task-definition';
import type { AgentDirectories, TaskRunOptions } from '../runner/types';
import { mapConnections, readConnectionsFile, type ConnectionFlags } from './connections';
import { StepInputError } from './errors';
import { readPipelineSteps, selectStep, type PipelineStep } from './pipeline';
import { mergeIgnoringCase, resolveVariables } from './variables';

export const TASK_DIR = resolve(__dirname, '..', '..', 'tasks', 'KanikoBuildV1');

export interface StepRequest {
  pipelineFile: string;
  /** The step's number from 1, `name:` or `displayName:`; default the file's only KanikoBuild@1 step. */
  step?: string;
  connectionsFile?: string;
  flags: ConnectionFlags;
  /** `--variable NAME=VALUE` values. */
  variables: Record<string, string>;
  /** `--input NAME=VALUE` values, which replace the step's inputs. */
  inputs: Record<string, string>;
  /** Variables that must come from the environment and are masked, besides those of secret inputs. */
  secretNames: string[];
  /** The folder that relative paths in inputs start from, as the agent's sources folder. */
  sourcesDirectory: string;
  environment: Record<string, string | undefined>;
  /** The moment that names a local build in Build.BuildId, such as `local-20260501-123000`. */
  now?: Date;
}

export interface PreparedStep {
  step: PipelineStep;
  options: Omit<TaskRunOptions, 'onLine' | 'cancel'>;
}

/**
 * Reads the pipeline file, selects the step and checks that every variable and connection it
 * uses has a value, before anything runs.
 * @throws StepInputError for every problem with the request.
 */
export function prepareStep(request: StepRequest): PreparedStep {
  const step = selectStep(readPipelineSteps(request.pipelineFile), request.step, request.pipelineFile);
  const definition = readTaskDefinition(TASK_DIR);
  rejectSecretOverrides(request.inputs);
  const inputs = mergeIgnoringCase(step.inputs, request.inputs);
  const pipelineStep = { ...step, inputs };
  rejectExpressions(inputs);

  const { variables, secretVariables } = resolveVariables(pipelineStep, {
    commandLine: mergeIgnoringCase(localBuildVariables(request.now ?? new Date()), request.variables),
    environment: request.environment,
    predefined: predefinedNames(),
    secretInputs: new Set([...SECRET_INPUTS, ...SECRET_LINES_INPUTS]),
    secretNames: request.secretNames,
    namedSecrets: namedSecretVariables(inputs),
  });
  const lookup = new Map(Object.entries({ ...predefinedValues(request.sourcesDirectory), ...variables, ...secretVariables })
    .map(([name, value]) => [name.toLowerCase(), value]));
  const expanded = Object.fromEntries(Object.entries(inputs).map(([name, value]) => [name, expandMacros(value, lookup)]));
  const connections = mapConnections(expanded, {
    definition,
    file: request.connectionsFile ? readConnectionsFile(request.connectionsFile) : undefined,
    flags: request.flags,
    environment: request.environment,
    repository: expanded.repository ?? '',
  });

  return {
    step,
    options: {
      taskDir: TASK_DIR,
      inputs: { ...withoutConnectionInputs(inputs, definition), ...connections.inputs },
      endpoints: connections.endpoints,
      variables,
      secretVariables,
      env: Object.fromEntries(Object.entries(step.env).map(([name, value]) => [name, expandMacros(value, lookup)])),
      sourcesDirectory: request.sourcesDirectory,
      displayName: step.displayName ? expandMacros(step.displayName, lookup) : undefined,
      stepName: step.name,
    },
  };
}

/**
 * Returns Build.BuildId and Build.BuildNumber for a local run, such as `local-20260501-123000`,
 * so that a tag `$(Build.BuildId)` marks a local build; --variable replaces them.
 */
function localBuildVariables(now: Date): Record<string, string> {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return { 'Build.BuildId': `local-${stamp}`, 'Build.BuildNumber': `local-${stamp}` };
}

/**
 * Rejects a secret written into --input, where other users of the machine can read it in the
 * process list. A reference such as `$(STORAGE_KEY)` is accepted: its value comes from the environment.
 */
function rejectSecretOverrides(overrides: Record<string, string>): void {
  for (const [name, value] of Object.entries(overrides)) {
    if (secretText(name, value).replace(/\$\([^()]+\)/g, '').trim() === '') continue;
    const example = isSecretLinesInput(name) ? `${name}=NPM_TOKEN=$(NPM_TOKEN)` : `${name}=$(STORAGE_KEY)`;
    const variable = isSecretLinesInput(name) ? 'NPM_TOKEN' : 'STORAGE_KEY';
    throw new StepInputError(`--input ${name} must not contain the secret itself, which other users of this machine can read in the process list. `
      + `Write a variable reference such as --input '${example}' and set the environment variable ${variable}.`);
  }
}

/** Returns the part of an input value that is secret: all of a secret input, and what follows `=` on each line of a secret lines input. */
function secretText(name: string, value: string): string {
  if (isSecretLinesInput(name)) {
    return value.split(/\r?\n/).map((line) => (line.includes('=') ? line.slice(line.indexOf('=') + 1) : '')).join('\n');
  }
  const secret = [...SECRET_INPUTS].some((input) => input.toLowerCase() === name.toLowerCase());
  return secret ? value : '';
}

/** Returns the variables that the `NAME` lines (without `=`) of secret lines inputs name, which the task reads by name. */
function namedSecretVariables(inputs: Record<string, string>): string[] {
  return Object.entries(inputs).filter(([name]) => isSecretLinesInput(name))
    .flatMap(([, value]) => value.split(/\r?\n/).map((line) => line.trim()))
    .filter((line) => line !== '' && !line.startsWith('#') && !line.includes('='));
}

function isSecretLinesInput(name: string): boolean {
  return [...SECRET_LINES_INPUTS].some((input) => input.toLowerCase() === name.toLowerCase());
}

/** Rejects template expressions and runtime expressions, which only Azure Pipelines evaluates. */
function rejectExpressions(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(inputs)) {
    if (/\$\{\{|\$\[/.test(value)) {
      throw new StepInputError(`Input ${name} uses a template or runtime expression (\${{ }} or $[ ]), which only Azure Pipelines evaluates: `
        + `${value}. Replace it for the local run with --input ${name}=VALUE.`);
    }
  }
}

function withoutConnectionInputs(inputs: Record<string, string>, definition: ReturnType<typeof readTaskDefinition>): Record<string, string> {
  const connectionNames = new Set(definition.inputs.filter((input) => input.type.toLowerCase().startsWith('connectedservice:'))
    .flatMap((input) => [input.name, ...input.aliases]).map((name) => name.toLowerCase()));
  return Object.fromEntries(Object.entries(inputs).filter(([name]) => !connectionNames.has(name.toLowerCase())));
}

/** Returns the lower-case names of the variables that the runner gives every step. */
function predefinedNames(): Set<string> {
  return new Set(Object.keys(predefinedValues('/')).map((name) => name.toLowerCase()));
}

/**
 * Returns the runner's predefined variables with a placeholder for the run's own folders, which
 * the runner creates later. Only the connection inputs are expanded with them here.
 */
function predefinedValues(sourcesDirectory: string): Record<string, string> {
  const placeholder = join('/', 'agent-run');
  const directories = { ...placeholderDirectories(placeholder), sourcesDirectory };
  return { ...defaultVariables(directories), ...stepVariables({ instanceId: '', displayName: '', referenceName: '' }) };
}

function placeholderDirectories(root: string): AgentDirectories {
  return {
    root, home: join(root, 'home'), agentHome: join(root, 'agent'), workFolder: join(root, '_work'), buildDirectory: join(root, '_work', '1'),
    sourcesDirectory: join(root, '_work', '1', 's'), artifactStagingDirectory: join(root, '_work', '1', 'a'),
    binariesDirectory: join(root, '_work', '1', 'b'), tempDirectory: join(root, '_work', '_temp'), toolsDirectory: join(root, '_work', '_tool'),
  };
}
