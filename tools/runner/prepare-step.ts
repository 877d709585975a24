// Prepares one task step before its process starts: the job variables, the resolved inputs,
// the service connections the inputs name, the values to mask, and the process environment.
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { COLLECTION_URI, defaultVariables, stepVariables } from './agent-variables';
import { buildEnvironment, endpointSecrets } from './environment';
import { expandMacros, isGuid, resolveInputs } from './inputs';
import { OutputProcessor } from './output-processor';
import { StepContext } from './step-context';
import type { SelectedHandler, TaskDefinition } from './task-definition';
import type { AgentDirectories, EndpointSpec, TaskRunOptions } from './types';

export interface PreparedStep {
  step: StepContext;
  processor: OutputProcessor;
  env: Record<string, string>;
  cwd: string;
}

export function prepareStep(
  options: TaskRunOptions,
  definition: TaskDefinition,
  handler: SelectedHandler,
  directories: AgentDirectories,
): PreparedStep {
  const givenEndpoints = normalizeEndpointIds(options.endpoints ?? {});
  const secretVariables = options.secretVariables ?? {};
  const jobVariables = mergeVariables(defaultVariables(directories), options.variables ?? {});
  const displayName = options.displayName ?? stepDisplayName(definition, options, { ...jobVariables, ...secretVariables }, directories);
  const step = { instanceId: options.instanceId ?? randomUUID(), displayName, referenceName: options.stepName ?? definition.name };
  const variables = mergeVariables({ ...defaultVariables(directories), ...stepVariables(step) }, options.variables ?? {});
  const macroValues = { ...variables, ...secretVariables };
  const inputs = resolveInputs(definition, options.inputs ?? {}, macroValues, directories.sourcesDirectory);
  const endpoints = pickReferencedEndpoints(givenEndpoints, inputs.endpointIds);
  // The agent gives every task the job's access token in SystemVssConnection.
  const accessToken = options.accessToken ?? randomBytes(24).toString('hex');

  // The agent's worker process runs in the agent's bin folder.
  const context = new StepContext(isTrue(lookupVariable(variables, 'system.debug')), options.onLine, join(directories.agentHome, 'bin'));
  maskKnownSecrets(context, secretVariables, Object.values(endpoints), accessToken, options.taskVariables ?? {});

  const env = buildEnvironment({
    home: directories.home,
    variables,
    secretVariables,
    inputs: inputs.values,
    endpoints,
    systemConnection: { url: COLLECTION_URI, accessToken },
    taskVariables: options.taskVariables ?? {},
    extra: options.env ?? {},
  });
  const lookup = new Map(Object.entries(macroValues).map(([name, value]) => [name.toLowerCase(), value]));
  const handlerDirectory = handler.workingDirectory ? expandMacros(handler.workingDirectory, lookup) : undefined;
  return {
    step: context,
    processor: new OutputProcessor(context, definition.restrictions),
    env,
    cwd: options.cwd ?? handlerDirectory ?? directories.sourcesDirectory,
  };
}

/**
 * Returns the name the service gives a step without a display name: task.json's
 * instanceNameFormat with each `$(input)` replaced by that input's value.
 */
function stepDisplayName(
  definition: TaskDefinition, options: TaskRunOptions, variables: Record<string, string>, directories: AgentDirectories,
): string {
  const inputs = resolveInputs(definition, options.inputs ?? {}, variables, directories.sourcesDirectory);
  const lookup = new Map(Object.entries(inputs.values).map(([name, value]) => [name.toLowerCase(), value]));
  return expandMacros(definition.instanceNameFormat, lookup) || definition.name;
}

// The agent's variables are case-insensitive, so a given name replaces a default in any case.
function mergeVariables(defaults: Record<string, string>, overrides: Record<string, string>): Record<string, string> {
  const overridden = new Set(Object.keys(overrides).map((name) => name.toLowerCase()));
  const remainingDefaults = Object.entries(defaults).filter(([name]) => !overridden.has(name));
  return { ...Object.fromEntries(remainingDefaults), ...overrides };
}

function lookupVariable(variables: Record<string, string>, name: string): string | undefined {
  return Object.entries(variables).find(([key]) => key.toLowerCase() === name)?.[1];
}

function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === 'true';
}

function normalizeEndpointIds(endpoints: Record<string, EndpointSpec>): Record<string, EndpointSpec> {
  const normalized: Record<string, EndpointSpec> = {};
  for (const [id, endpoint] of Object.entries(endpoints)) {
    if (!isGuid(id)) {
      throw new Error(`Endpoint id "${id}" is not a GUID. The agent passes connections by GUID, such as "0f4c2d0e-5b7a-4c4e-9d1a-2b3c4d5e6f70".`);
    }
    normalized[id.toLowerCase()] = endpoint;
  }
  return normalized;
}

// The agent exposes only the connections that the task's connectedService inputs name. A given
// endpoint that no input names is most likely a mistake in the test, so it is rejected.
function pickReferencedEndpoints(available: Record<string, EndpointSpec>, referenced: string[]): Record<string, EndpointSpec> {
  const unused = Object.keys(available).filter((id) => !referenced.includes(id));
  if (unused.length > 0) {
    throw new Error(`Endpoint(s) ${unused.join(', ')} are not named by any connectedService input. Name each in an input, or leave it out.`);
  }
  return Object.fromEntries(referenced.filter((id) => available[id]).map((id) => [id, available[id]]));
}

// Values the agent masks before the task starts (Worker.cs in microsoft/azure-pipelines-agent).
function maskKnownSecrets(
  step: StepContext,
  secretVariables: Record<string, string>,
  endpoints: EndpointSpec[],
  accessToken: string,
  taskVariables: NonNullable<TaskRunOptions['taskVariables']>,
): void {
  // A secret variable is masked as given, trimmed, and in base64. Blank ones are skipped.
  for (const value of Object.values(secretVariables)) {
    if (value.trim() === '') continue;
    step.addMask(value);
    step.addMask(value.trim());
    step.addMask(Buffer.from(value, 'utf8').toString('base64'));
  }
  for (const endpoint of endpoints) {
    for (const value of endpointSecrets(endpoint)) step.addMask(value);
  }
  step.addMask(accessToken);
  for (const variable of Object.values(taskVariables)) {
    if (variable.isSecret) step.addMask(variable.value);
  }
}
