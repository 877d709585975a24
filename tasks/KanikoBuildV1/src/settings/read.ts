// The only module that reads task inputs, service connections and pipeline variables.
import * as tl from 'azure-pipelines-task-lib/task';
import * as taskInternal from 'azure-pipelines-task-lib/internal';
import { loc } from '../messages';
import { parseKubeconfig, type Kubeconfig } from './kubeconfig';
import { SECRET_INPUTS, SECRET_LINES_INPUTS, type RawEndpoint, type RawInputs, type RawRun, type RawVariables, type SecretVariable } from './raw';
import { splitSecretBuildArgumentLines } from './secret-build-arguments';

const INPUT_NAMES: (keyof RawInputs)[] = [
  'connectionType', 'azureSubscriptionEndpoint', 'azureResourceGroup', 'kubernetesCluster', 'useClusterAdmin',
  'kubernetesServiceConnection', 'namespace', 'registryCredentials', 'containerRegistry', 'repository', 'tags', 'dockerfile',
  'buildContext', 'buildArguments', 'target', 'baseImageRegistries', 'anonymousPullRegistries', 'contextDelivery',
  'downloadImage', 'reproducibleContext', 'contextRetentionInDays', 'storageAccount',
  'storageContainer', 'storageAccessKey', 'storageConnection',
  'storageBlobEndpoint', 'executorImage', 'cpuRequest', 'memoryRequest', 'cpuLimit', 'memoryLimit',
  'buildTimeoutInMinutes', 'schedulingTimeoutInMinutes', 'serviceAccount', 'createNamespace',
  'ephemeralStorageRequest', 'ephemeralStorageLimit', 'nodeSelector', 'tolerations', 'podTemplate',
  'secretBuildArguments', 'cache', 'cacheRepository', 'cacheTtl', 'labels', 'ociLabels', 'skipUnusedStages', 'pushRetry',
  'registryMirror', 'insecureRegistries', 'noPush', 'extraArgs',
];

/** File path inputs with no default, which the agent fills with the sources folder when left empty. */
const FILE_PATH_INPUTS = new Set<keyof RawInputs>(['buildContext']);


const KUBERNETES_PARAMETERS = ['kubeconfig', 'apiToken', 'serviceAccountCertificate'];
const KUBERNETES_DATA = ['authorizationType', 'acceptUntrustedCerts', 'clusterContext', 'namespace'];
const ARM_PARAMETERS = ['serviceprincipalid', 'serviceprincipalkey', 'tenantid', 'authenticationType'];
const ARM_DATA = [
  'subscriptionid', 'environment', 'environmentAuthorityUrl', 'activeDirectoryServiceEndpointResourceId', 'msiclientId',
];
const REGISTRY_PARAMETERS = [
  'registry', 'username', 'password', 'email', 'loginServer', 'serviceprincipalid', 'serviceprincipalkey', 'tenantId',
];
const REGISTRY_DATA = ['registrytype', 'registryType', 'loginServer', 'environmentAuthorityUrl'];
/** Endpoint parameters that are not secret; every other parameter value is masked. */
const PUBLIC_PARAMETERS = new Set([
  'registry', 'username', 'email', 'loginServer', 'serviceprincipalid', 'tenantId', 'tenantid', 'authenticationType',
]);

export interface ReadOptions {
  /** Warn about inputs that the run ignores; the post-job step reads the same inputs again and passes false. */
  warnings?: boolean;
}

/** Reads everything the run needs from the agent, registering every secret value with the agent's masker. */
export function readRun(options: ReadOptions = {}): RawRun {
  const warnings = options.warnings ?? true;
  const inputs = readInputs();
  if (warnings) warnIgnoredStorageInputs(inputs);
  return {
    inputs,
    kubernetesEndpoint: readEndpoint('kubernetesServiceConnection', inputs.kubernetesServiceConnection,
      KUBERNETES_PARAMETERS, KUBERNETES_DATA),
    registryEndpoint: readRegistryEndpoint(inputs, warnings),
    baseImageEndpoints: splitConnectionIds(inputs.baseImageRegistries).map((id) => ({
      id, endpoint: readEndpoint('baseImageRegistries', id, REGISTRY_PARAMETERS, REGISTRY_DATA),
    })),
    armEndpoint: readEndpoint('azureSubscriptionEndpoint', inputs.azureSubscriptionEndpoint, ARM_PARAMETERS, ARM_DATA),
    storageEndpoint: readEndpoint('storageConnection', inputs.storageConnection, ARM_PARAMETERS, ARM_DATA),
    variables: readVariables(),
    secretVariables: readSecretVariables(),
    secretBuildArgumentVariables: readSecretBuildArgumentVariables(inputs.secretBuildArguments),
    findFiles: (root, pattern) => tl.findMatch(root, pattern),
  };
}

/** Reads the push registry's connection; with workload identity the connection is not used, even when the input names one. */
/** Warns about storage inputs that the direct delivery ignores; YAML pipelines do not hide them as the editor does. */
function warnIgnoredStorageInputs(inputs: RawInputs): void {
  if (inputs.contextDelivery !== 'direct') return;
  const ignored = (['storageAccount', 'storageAccessKey', 'storageConnection'] as const).filter((name) => inputs[name] !== '');
  if (ignored.length > 0) tl.warning(loc('StorageInputsIgnored', ignored.join(', ')));
}

function readRegistryEndpoint(inputs: RawInputs, warnings: boolean): RawEndpoint | undefined {
  if (inputs.registryCredentials !== 'workloadIdentity') {
    return readEndpoint('containerRegistry', inputs.containerRegistry, REGISTRY_PARAMETERS, REGISTRY_DATA);
  }
  if (inputs.containerRegistry && warnings) tl.warning(loc('ContainerRegistryIgnored'));
  return undefined;
}

/** Splits a multi-select connection input, which the agent passes as comma-separated connection ids. */
function splitConnectionIds(value: string): string[] {
  return [...new Set(value.split(',').map((id) => id.trim()).filter(Boolean))];
}

function readInputs(): RawInputs {
  const inputs = {} as RawInputs;
  for (const name of INPUT_NAMES) {
    const secret = SECRET_INPUTS.has(name) || SECRET_LINES_INPUTS.has(name);
    const value = ((secret ? readSecretInput(name) : readInput(name)) ?? '').trim();
    if (SECRET_LINES_INPUTS.has(name)) {
      registerSecretLines(value);
      tl.debug(`input ${name}: ${value ? '(secret, set)' : '(empty)'}`);
    } else if (SECRET_INPUTS.has(name)) {
      if (value) tl.setSecret(value);
      tl.debug(`input ${name}: ${value ? '(secret, set)' : '(empty)'}`);
    } else {
      tl.debug(`input ${name}: ${JSON.stringify(value)}`);
    }
    inputs[name] = value;
  }
  return inputs;
}

/**
 * Reads an input. The agent turns an empty file path input into the sources folder, so an
 * unchanged one reads as empty here, which lets the build context default to the Dockerfile's folder.
 */
function readInput(name: keyof RawInputs): string | undefined {
  if (FILE_PATH_INPUTS.has(name) && !tl.filePathSupplied(name)) return '';
  return tl.getInput(name, false);
}

/**
 * Reads an input without task-lib's getInput, which writes every value it returns to the
 * debug log (`name=value`) before the task could mask it. This is the same vault lookup.
 */
function readSecretInput(name: string): string | undefined {
  return taskInternal._vault.retrieveSecret(`INPUT_${taskInternal._getVariableKey(name)}`);
}

/**
 * Reads an endpoint's authorization parameter. task-lib's getEndpointAuthorizationParameter
 * writes the value to the debug log, so the parameters come from the authorization object
 * (whose keys the agent spells as the connection type defines them) or from the vault.
 */
function readAuthorizationParameter(id: string, key: string, parameters: Record<string, string>): string | undefined {
  const match = Object.keys(parameters).find((candidate) => candidate.toLowerCase() === key.toLowerCase());
  if (match !== undefined) return parameters[match];
  return taskInternal._vault.retrieveSecret(`ENDPOINT_AUTH_PARAMETER_${id}_${key.toUpperCase()}`);
}

function readEndpoint(input: string, id: string, parameterKeys: string[], dataKeys: string[]): RawEndpoint | undefined {
  if (!id) return undefined;
  const authorization = tl.getEndpointAuthorization(id, true);
  if (!authorization) return undefined;
  const parameters: Record<string, string | undefined> = {};
  for (const key of parameterKeys) {
    const value = readAuthorizationParameter(id, key, authorization.parameters ?? {});
    if (value && !PUBLIC_PARAMETERS.has(key)) registerEndpointSecret(key, value);
    parameters[key] = value;
  }
  const data: Record<string, string | undefined> = {};
  for (const key of dataKeys) data[key] = tl.getEndpointDataParameter(id, key, true);
  const endpoint = { input, id, url: tl.getEndpointUrl(id, true), scheme: authorization.scheme, parameters, data };
  tl.debug(`${input}: scheme ${endpoint.scheme}, url ${endpoint.url}, data ${JSON.stringify(data)}`);
  return endpoint;
}

/**
 * Masks a secret endpoint parameter. task-lib rejects multi-line values, so a kubeconfig
 * has its credentials masked one by one, and a base64 token is masked decoded too.
 */
function registerEndpointSecret(key: string, value: string): void {
  if (key === 'kubeconfig') {
    registerKubeconfigSecrets(value);
  } else if (!value.includes('\n')) {
    tl.setSecret(value);
    if (key === 'apiToken') tl.setSecret(Buffer.from(value, 'base64').toString('utf8').trim());
  }
}

function registerKubeconfigSecrets(kubeconfig: string): void {
  let config: Kubeconfig;
  try {
    config = parseKubeconfig(kubeconfig);
  } catch {
    return; // settings/cluster.ts reports the invalid kubeconfig; it contains no usable credential.
  }
  for (const user of config.users) {
    for (const value of [user.token, user.password, user.keyData]) {
      if (value && !value.includes('\n')) tl.setSecret(value);
    }
  }
}

/** Masks the value of each `NAME=VALUE` line of the secretBuildArguments input. */
function registerSecretLines(input: string): void {
  for (const { value } of splitSecretBuildArgumentLines(input)) {
    if (value) registerSecretValue(value);
  }
}

/** Masks a secret; task-lib rejects multi-line values, so each line of such a value is masked on its own. */
function registerSecretValue(value: string): void {
  for (const line of value.split(/\r?\n/)) {
    if (line.trim()) tl.setSecret(line);
  }
}

/**
 * Reads the pipeline variables that the `NAME` lines of the secretBuildArguments input name, and
 * masks their values, also of a variable that is not marked secret.
 */
function readSecretBuildArgumentVariables(input: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const { name, value } of splitSecretBuildArgumentLines(input)) {
    if (value !== undefined) continue;
    const variable = readVariableQuietly(name);
    if (variable === undefined) continue;
    registerSecretValue(variable);
    values[name] = variable;
  }
  return values;
}

/** Returns the job's secret variables, whose values the agent masks already. */
function readSecretVariables(): SecretVariable[] {
  const variables: SecretVariable[] = [];
  for (const info of Object.values(taskInternal._knownVariableMap)) {
    const value = info.secret ? readVariableQuietly(info.name) : undefined;
    if (value) variables.push({ name: info.name, value });
  }
  return variables;
}

/**
 * Reads a pipeline variable the way task-lib's getVariable does, without its debug line
 * `name=value`, which would show a value that is not masked yet.
 */
function readVariableQuietly(name: string): string | undefined {
  const key = taskInternal._getVariableKey(name);
  if (taskInternal._knownVariableMap[key]?.secret) return taskInternal._vault.retrieveSecret(`SECRET_${key}`);
  return process.env[key];
}

function readVariables(): RawVariables {
  const variable = (name: string): string => tl.getVariable(name) ?? '';
  return {
    buildId: variable('Build.BuildId'),
    jobId: variable('System.JobId'),
    teamProject: variable('System.TeamProject'),
    definitionName: variable('Build.DefinitionName'),
    collectionUri: variable('System.CollectionUri'),
    defaultWorkingDirectory: variable('System.DefaultWorkingDirectory') || process.cwd(),
    oidcRequestUri: variable('System.OidcRequestUri'),
    sourceDateEpoch: variable('SOURCE_DATE_EPOCH'),
    repositoryUri: variable('Build.Repository.Uri'),
    sourceVersion: variable('Build.SourceVersion'),
    accessToken: readAccessToken(),
    tempDirectory: variable('Agent.TempDirectory'),
    stepId: variable('System.TaskInstanceId'),
    stepDisplayName: variable('System.TaskDisplayName'),
  };
}

/** Reads the job's access token, which the agent passes as the SystemVssConnection endpoint. */
function readAccessToken(): string {
  const token = taskInternal._vault.retrieveSecret('ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN') ?? '';
  if (token) tl.setSecret(token);
  return token;
}
