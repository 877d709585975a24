// Hand-built raw runs (inputs, service connections and variables) for settings tests, in the
// shape settings/read.ts produces from the agent's environment.
import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import * as tl from 'azure-pipelines-task-lib/task';
import type { RawEndpoint, RawInputs, RawRun } from '../../../../tasks/KanikoBuildV1/src/settings/raw';
import { parseSettings } from '../../../../tasks/KanikoBuildV1/src/settings/parse';

/** A valid storage account key: base64 of 64 bytes, as Azure issues them. */
export const STORAGE_KEY = Buffer.from('storage key used only by tests, 64 bytes long, padded: 012345678').toString('base64');
export const SERVICE_ACCOUNT_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.service-account-token-for-tests.c2lnbmF0dXJl';
export const CA_PEM = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAjMSEwHwYDVQQDDBhrM3Mtc2Vy',
  '-----END CERTIFICATE-----',
  '',
].join('\n');
export const DEV_TOKEN = 'dev-user-token-0001';
export const PROD_TOKEN = 'prod-user-token-0002';

export function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** Returns a kubeconfig with contexts `dev` (namespace dev-ns, current) and `prod` (no namespace). */
export function kubeconfigYaml(options: { skipTlsVerify?: boolean; currentContext?: string } = {}): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: dev-cluster',
    '  cluster:',
    '    server: https://dev.cluster.example.test:6443',
    `    certificate-authority-data: ${base64(CA_PEM)}`,
    ...(options.skipTlsVerify ? ['    insecure-skip-tls-verify: true'] : []),
    '- name: prod-cluster',
    '  cluster:',
    '    server: https://prod.cluster.example.test:6443',
    'users:',
    '- name: dev-user',
    '  user:',
    `    token: ${DEV_TOKEN}`,
    '- name: prod-user',
    '  user:',
    `    token: ${PROD_TOKEN}`,
    'contexts:',
    '- name: dev',
    '  context:',
    '    cluster: dev-cluster',
    '    user: dev-user',
    '    namespace: dev-ns',
    '- name: prod',
    '  context:',
    '    cluster: prod-cluster',
    '    user: prod-user',
    `current-context: ${options.currentContext ?? 'dev'}`,
    '',
  ].join('\n');
}

export function kubeconfigEndpoint(data: Record<string, string> = {}, kubeconfig = kubeconfigYaml()): RawEndpoint {
  return {
    input: 'kubernetesServiceConnection',
    id: 'kubeconfig-connection',
    url: 'https://dev.cluster.example.test:6443',
    scheme: 'Kubernetes',
    parameters: { kubeconfig },
    data: { authorizationType: 'Kubeconfig', ...data },
  };
}

export function serviceAccountEndpoint(data: Record<string, string> = {}, url = 'https://aks.cluster.example.test:443/'): RawEndpoint {
  return {
    input: 'kubernetesServiceConnection',
    id: 'service-account-connection',
    url,
    scheme: 'Token',
    parameters: { apiToken: base64(`${SERVICE_ACCOUNT_TOKEN}\n`), serviceAccountCertificate: base64(CA_PEM) },
    data: { authorizationType: 'ServiceAccount', ...data },
  };
}

export function usernamePasswordEndpoint(registry: string): RawEndpoint {
  return {
    input: 'containerRegistry',
    id: 'registry-connection',
    url: registry,
    scheme: 'UsernamePassword',
    parameters: { registry, username: 'push-user', password: 'registry-password-0003' },
    data: {},
  };
}

export function acrEndpoint(loginServer = 'myregistry.azurecr.io'): RawEndpoint {
  return {
    input: 'containerRegistry',
    id: 'acr-connection',
    url: `https://${loginServer}`,
    scheme: 'ServicePrincipal',
    parameters: {
      loginServer,
      serviceprincipalid: '11111111-2222-3333-4444-555555555555',
      serviceprincipalkey: 'service-principal-secret-0004',
      tenantId: '66666666-7777-8888-9999-000000000000',
    },
    data: { registrytype: 'ACR' },
  };
}

/** Inputs that are valid together with a `Dockerfile` at the root of the working directory. */
export function validInputs(changes: Partial<RawInputs> = {}): RawInputs {
  return {
    connectionType: 'kubernetesServiceConnection',
    kubernetesServiceConnection: 'service-account-connection',
    azureSubscriptionEndpoint: '',
    azureResourceGroup: '',
    kubernetesCluster: '',
    useClusterAdmin: 'false',
    namespace: 'builds',
    registryCredentials: 'serviceConnection',
    containerRegistry: 'acr-connection',
    repository: 'team/web',
    tags: '42',
    dockerfile: 'Dockerfile',
    buildContext: '',
    buildArguments: '',
    target: '',
    baseImageRegistries: '',
    anonymousPullRegistries: '',
    contextDelivery: '',
    downloadImage: 'curlimages/curl:8.20.0',
    reproducibleContext: 'true',
    contextRetentionInDays: '7',
    storageAccount: 'kanikostorage',
    storageContainer: 'kaniko-contexts',
    storageAccessKey: STORAGE_KEY,
    storageConnection: '',
    storageBlobEndpoint: '',
    executorImage: 'ghcr.io/osscontainertools/kaniko:v1.28.3',
    cpuRequest: '',
    memoryRequest: '',
    cpuLimit: '1',
    memoryLimit: '1Gi',
    buildTimeoutInMinutes: '30',
    schedulingTimeoutInMinutes: '5',
    serviceAccount: '',
    createNamespace: 'false',
    ephemeralStorageRequest: '',
    ephemeralStorageLimit: '',
    nodeSelector: '',
    tolerations: '',
    podTemplate: '',
    secretBuildArguments: '',
    cache: 'false',
    cacheRepository: '',
    cacheTtl: '',
    labels: '',
    ociLabels: 'true',
    skipUnusedStages: 'true',
    pushRetry: '',
    registryMirror: '',
    insecureRegistries: '',
    noPush: 'false',
    extraArgs: '',
    ...changes,
  };
}

export interface RunChanges {
  inputs?: Partial<RawInputs>;
  kubernetesEndpoint?: RawEndpoint | null;
  registryEndpoint?: RawEndpoint | null;
  armEndpoint?: RawEndpoint;
  storageEndpoint?: RawEndpoint;
  /** Connections of baseImageRegistries by id; `undefined` means the agent passed none for that id. */
  baseImageEndpoints?: { id: string; endpoint?: RawEndpoint }[];
  /** System.OidcRequestUri and the job's access token, for workload identity federation. */
  oidcRequestUri?: string;
  accessToken?: string;
  sourceDateEpoch?: string;
  /** Build.Repository.Uri and Build.SourceVersion; default an Azure Repos URL and a commit. */
  repositoryUri?: string;
  sourceVersion?: string;
  /** The job's secret pipeline variables. */
  secretVariables?: Record<string, string>;
  /** Values of the pipeline variables that secretBuildArguments names. */
  secretBuildArgumentVariables?: Record<string, string>;
}

export const REPOSITORY_URI = 'https://fabrikam@dev.azure.example.test/fabrikam/Fabrikam%20Web/_git/web';
export const SOURCE_VERSION = '3f786850e387550fdab836ed7e6dc881de23001b';

/** Returns a run whose working directory is `root`. An endpoint given as `null` means the agent passed none. */
export function rawRun(root: string, changes: RunChanges = {}): RawRun {
  return {
    inputs: validInputs(changes.inputs),
    kubernetesEndpoint: changes.kubernetesEndpoint === null ? undefined : changes.kubernetesEndpoint ?? serviceAccountEndpoint(),
    registryEndpoint: changes.registryEndpoint === null ? undefined : changes.registryEndpoint ?? acrEndpoint(),
    armEndpoint: changes.armEndpoint,
    storageEndpoint: changes.storageEndpoint,
    baseImageEndpoints: changes.baseImageEndpoints ?? [],
    variables: {
      buildId: '1234',
      jobId: '12f1170f-54f2-53f3-20dd-22fc7dff55f9',
      teamProject: 'Fabrikam Web',
      definitionName: 'web-ci',
      collectionUri: 'https://dev.azure.example.test/fabrikam/',
      defaultWorkingDirectory: root,
      oidcRequestUri: changes.oidcRequestUri ?? '',
      sourceDateEpoch: changes.sourceDateEpoch ?? '',
      accessToken: changes.accessToken ?? '',
      tempDirectory: '',
      stepId: '',
      stepDisplayName: '',
      repositoryUri: changes.repositoryUri ?? REPOSITORY_URI,
      sourceVersion: changes.sourceVersion ?? SOURCE_VERSION,
    },
    secretVariables: Object.entries(changes.secretVariables ?? {}).map(([name, value]) => ({ name, value })),
    secretBuildArgumentVariables: changes.secretBuildArgumentVariables ?? {},
    findFiles,
  };
}

/** Runs task-lib's findMatch, as the task does, without writing its debug lines to the test output. */
export function findFiles(root: string, pattern: string): string[] {
  tl.setStdStream(new Writable({ write: (_chunk, _encoding, callback) => callback() }));
  try {
    return tl.findMatch(root, pattern);
  } finally {
    tl.setStdStream(process.stdout);
  }
}

/** Parses the run, expecting failure, and returns the error's message. */
export function settingsErrorMessage(run: RawRun): string {
  let message: string | undefined;
  assert.throws(() => parseSettings(run), (error: unknown) => {
    assert.ok(error instanceof Error, 'parseSettings threw a non-Error');
    message = error.message;
    return true;
  });
  return message as string;
}

/** Parses the run, expecting failure, and returns the listed problems, one a line without the `  - ` bullet. */
export function settingsProblems(run: RawRun): string[] {
  const message = settingsErrorMessage(run);
  return message.split('\n').filter((line) => line.startsWith('  - ')).map((line) => line.slice(4));
}
