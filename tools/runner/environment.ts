// Builds the environment of a task process the way the agent's Node handler fills it
// (Handler.cs and NodeHandler.cs in microsoft/azure-pipelines-agent): variables, then inputs,
// then service connections, then task variables. It starts from PATH and a few variables of
// its own, never from the whole environment of the test process.
import { tmpdir } from 'node:os';
import type { EndpointSpec, TaskVariable } from './types';

/** Converts a variable or input name to its environment form: `.` and space become `_`, upper case. */
export function toEnvironmentName(name: string): string {
  return name.replace(/[. ]/g, '_').toUpperCase();
}

/** An endpoint the agent hands every task under the name SystemVssConnection. */
export interface SystemConnection {
  url: string;
  accessToken: string;
}

export interface EnvironmentParts {
  home: string;
  variables: Record<string, string>;
  secretVariables: Record<string, string>;
  /** Input values by name, already resolved. */
  inputs: Record<string, string>;
  /** Endpoints to expose, by lower-case GUID. */
  endpoints: Record<string, EndpointSpec>;
  systemConnection: SystemConnection;
  taskVariables: Record<string, TaskVariable>;
  extra: Record<string, string>;
}

/** Returns the complete environment of the task process. */
export function buildEnvironment(parts: EnvironmentParts): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: parts.home,
    TMPDIR: tmpdir(),
    LANG: 'C.UTF-8',
  };
  addVariables(env, parts.variables, parts.secretVariables);
  for (const [name, value] of Object.entries(parts.inputs)) {
    env[`INPUT_${toEnvironmentName(name)}`] = value;
  }
  addSystemConnection(env, parts.systemConnection);
  for (const [id, endpoint] of Object.entries(parts.endpoints)) {
    addEndpoint(env, id, endpoint);
  }
  for (const [name, variable] of Object.entries(parts.taskVariables)) {
    env[`VSTS_TASKVARIABLE_${toEnvironmentName(name)}`] = variable.value;
  }
  // The agent's process invoker sets TF_BUILD for every process it starts.
  env.TF_BUILD = 'True';
  return { ...env, ...parts.extra };
}

function addVariables(
  env: Record<string, string>,
  variables: Record<string, string>,
  secretVariables: Record<string, string>,
): void {
  for (const [name, value] of Object.entries(variables)) {
    // The agent also exports agent.jobstatus under its dotted name.
    if (name.toLowerCase() === 'agent.jobstatus') env[name] = value;
    env[toEnvironmentName(name)] = value;
  }
  env.VSTS_PUBLIC_VARIABLES = JSON.stringify(Object.keys(variables));
  for (const [name, value] of Object.entries(secretVariables)) {
    env[`SECRET_${toEnvironmentName(name)}`] = value;
  }
  env.VSTS_SECRET_VARIABLES = JSON.stringify(Object.keys(secretVariables));
}

function addEndpoint(env: Record<string, string>, id: string, endpoint: EndpointSpec): void {
  const parameters = endpoint.parameters ?? {};
  const data = endpoint.data ?? {};
  env[`ENDPOINT_URL_${id}`] = endpoint.url;
  env[`ENDPOINT_AUTH_${id}`] = JSON.stringify({ parameters, scheme: endpoint.scheme });
  env[`ENDPOINT_AUTH_SCHEME_${id}`] = endpoint.scheme;
  for (const [key, value] of Object.entries(parameters)) {
    env[`ENDPOINT_AUTH_PARAMETER_${id}_${toEnvironmentName(key)}`] = value;
  }
  env[`ENDPOINT_DATA_${id}`] = JSON.stringify(data);
  for (const [key, value] of Object.entries(data)) {
    env[`ENDPOINT_DATA_${id}_${toEnvironmentName(key)}`] = value;
  }
}

// The agent names this endpoint by its name, upper-cased, and gives it no data variables.
function addSystemConnection(env: Record<string, string>, connection: SystemConnection): void {
  const id = 'SYSTEMVSSCONNECTION';
  const parameters = { AccessToken: connection.accessToken };
  env[`ENDPOINT_URL_${id}`] = connection.url;
  env[`ENDPOINT_AUTH_${id}`] = JSON.stringify({ parameters, scheme: 'OAuth' });
  env[`ENDPOINT_AUTH_SCHEME_${id}`] = 'OAuth';
  env[`ENDPOINT_AUTH_PARAMETER_${id}_ACCESSTOKEN`] = connection.accessToken;
}

// Authorization parameters the agent does not mask (MaskingUtil.cs in
// microsoft/azure-pipelines-agent). NOTE: the agent takes these names from constants in a
// Microsoft package whose exact spellings are not public; they are compared ignoring case.
const NOT_SECRET_PARAMETERS = new Set([
  'role', 'scope', 'tenantid', 'issuedat', 'expiresat', 'audience', 'authenticationtype', 'authorizationtype',
  'accesstokentype', 'accesstokenfetchingmethod', 'usewindowssecurity', 'unsecured',
  'oauthaccesstokenissupplied', 'completecallbackpayload', 'acceptuntrustedcerts',
]);

/** Returns the endpoint's authorization parameter values that the agent masks in logs. */
export function endpointSecrets(endpoint: EndpointSpec): string[] {
  return Object.entries(endpoint.parameters ?? {})
    .filter(([key, value]) => value !== '' && !NOT_SECRET_PARAMETERS.has(key.toLowerCase()))
    .map(([, value]) => value);
}
