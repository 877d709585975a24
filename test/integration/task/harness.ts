// Runs the bundled KanikoBuild task through the agent-like runner against the local
// stand-ins, each run in a namespace and blob container of its own.
import {
  AccountSASPermissions, AccountSASResourceTypes, AccountSASServices, BlobServiceClient, generateAccountSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { request as httpsRequest } from 'node:https';
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubeConfig, Watch, type V1Secret } from '@kubernetes/client-node';
import type { LocalCluster } from '../../../tools/local-cluster/index';
import type { PodRunRecord } from '../../../tools/local-cluster/contract';
import {
  runTask, type CancelOptions, type EndpointSpec, type SignalTimeouts, type TaskRunResult, type TaskStage, type TaskVariable,
} from '../../../tools/runner';
import { isKeptContextBlob } from '../../../tasks/KanikoBuildV1/src/plan/names';
import { sharedStandIns, STAND_IN_REGISTRY, type StandIns } from '../stand-ins';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const TASK_DIR = path.join(REPO_ROOT, 'tasks', 'KanikoBuildV1');
export const SAMPLE_APP = path.join(REPO_ROOT, 'samples', 'flask-app');
export const CLUSTER_CONNECTION = '5d0c1f6e-9a7b-4c3d-8e2f-1a2b3c4d5e6f';
export const REGISTRY_CONNECTION = '7e8f9a0b-1c2d-4e3f-9a4b-5c6d7e8f9a0b';

export interface BuildScenario {
  /** Azurite and the cluster to build with; default the shared ones. */
  standIns?: StandIns;
  /** An existing namespace to build in; default a new one for the run. */
  namespace?: string;
  /** The blob container for the context; default a new name for the run. */
  container?: string;
  /** The handler to run: the build step (`main`, the default) or the post-job step (`post`). */
  stage?: TaskStage;
  /** Task variables that an earlier stage of the same task set, for the post-job step. */
  taskVariables?: Record<string, TaskVariable>;
  /** Files of the sources folder, by relative path; default a copy of the sample app. */
  files?: Record<string, string>;
  /** Inputs that replace or add to the defaults; `undefined` removes one. */
  inputs?: Record<string, string | undefined>;
  /** Replaces the Kubernetes connection; `null` leaves it out. */
  clusterEndpoint?: EndpointSpec | null;
  /** Replaces the registry connection; `null` leaves it out. */
  registryEndpoint?: EndpointSpec | null;
  /** More service connections by id, such as an Azure Resource Manager one. */
  extraEndpoints?: Record<string, EndpointSpec>;
  /** More pipeline variables, and environment variables for the task process. */
  variables?: Record<string, string>;
  /** More secret pipeline variables; their values count as secrets for the output checks. */
  secretVariables?: Record<string, string>;
  env?: Record<string, string>;
  /** The Node.js binary (or launcher) that runs the task; default the test's own. */
  nodePath?: string;
  /** The job's access token; default a random one. */
  accessToken?: string;
  cancel?: CancelOptions;
  /** The waits between the cancel signals; default the agent's 7.5 s and 2.5 s. */
  signalTimeouts?: Partial<SignalTimeouts>;
  /** Receives each line of the step's log as it arrives, masked. */
  onLine?: (line: string) => void;
  /** Prints the step's log while it runs (for debugging a test). */
  echo?: boolean;
}

export interface BuildRun {
  run: TaskRunResult;
  standIns: StandIns;
  namespace: string;
  container: string;
  /** The kubelet's record of the run's pod, when one was created. */
  record?: PodRunRecord;
  /** Every secret value the run was given, for output checks. */
  secrets: string[];
}

export async function runBuild(scenario: BuildScenario = {}): Promise<BuildRun> {
  const standIns = scenario.standIns ?? await sharedStandIns();
  const suffix = randomBytes(3).toString('hex');
  const namespace = scenario.namespace ?? `build-${suffix}`;
  const container = scenario.container ?? `contexts-${suffix}`;
  if (!scenario.namespace) standIns.cluster.createNamespace(namespace);
  const sources = makeSources(scenario.files);

  const inputs = { ...defaultInputs(standIns, namespace, container), ...scenario.inputs };
  const endpoints: Record<string, EndpointSpec> = {};
  const clusterEndpoint = scenario.clusterEndpoint === undefined ? kubeconfigEndpoint(standIns) : scenario.clusterEndpoint;
  const registryEndpoint = scenario.registryEndpoint === undefined ? registryEndpointSpec() : scenario.registryEndpoint;
  if (clusterEndpoint) endpoints[CLUSTER_CONNECTION] = clusterEndpoint;
  if (registryEndpoint) endpoints[REGISTRY_CONNECTION] = registryEndpoint;
  Object.assign(endpoints, scenario.extraEndpoints);

  try {
    const run = await runTask({
      taskDir: TASK_DIR,
      inputs: Object.fromEntries(Object.entries(inputs).filter((entry): entry is [string, string] => entry[1] !== undefined)),
      endpoints,
      secretVariables: { CONTEXT_STORAGE_KEY: standIns.azurite.accountKey, ...scenario.secretVariables },
      variables: { 'Build.BuildId': '4711', ...scenario.variables },
      env: scenario.env,
      accessToken: scenario.accessToken,
      nodePath: scenario.nodePath,
      sourcesDirectory: sources,
      stage: scenario.stage,
      taskVariables: scenario.taskVariables,
      cancel: scenario.cancel,
      signalTimeouts: scenario.signalTimeouts,
      timeoutMs: 120_000,
      onLine: (line) => {
        scenario.onLine?.(line);
        if (scenario.echo) console.log(`      | ${line}`);
      },
    });
    const digest = run.variables.imageDigest?.value;
    const record = standIns.cluster.runs.find((candidate) => candidate.namespace === namespace
      && (scenario.namespace === undefined || candidate.digest === digest));
    const secrets = [
      standIns.azurite.accountKey, STAND_IN_REGISTRY.password, standIns.cluster.adminToken,
      ...Object.values(registryEndpoint?.parameters ?? {}).filter((value) => value.length > 8 && /password|secret/i.test(value)),
      ...Object.values(scenario.secretVariables ?? {}),
    ];
    return { run, standIns, namespace, container, record, secrets };
  } finally {
    fs.rmSync(sources, { recursive: true, force: true });
  }
}

function defaultInputs(standIns: StandIns, namespace: string, container: string): Record<string, string> {
  return {
    kubernetesServiceConnection: CLUSTER_CONNECTION,
    namespace,
    containerRegistry: REGISTRY_CONNECTION,
    repository: 'samples/flask-app',
    tags: '$(Build.BuildId)\nlatest',
    dockerfile: 'Dockerfile',
    storageAccount: standIns.azurite.accountName,
    storageContainer: container,
    storageAccessKey: '$(CONTEXT_STORAGE_KEY)',
    storageBlobEndpoint: standIns.azurite.blobEndpoint,
  };
}

export function kubeconfigEndpoint(standIns: StandIns, options: { context?: string; kubeconfig?: string } = {}): EndpointSpec {
  return {
    url: standIns.cluster.url,
    scheme: 'Kubeconfig',
    parameters: { kubeconfig: options.kubeconfig ?? standIns.cluster.kubeconfig() },
    data: { authorizationType: 'Kubeconfig', ...(options.context ? { clusterContext: options.context } : {}) },
  };
}

export function registryEndpointSpec(password = STAND_IN_REGISTRY.password): EndpointSpec {
  return {
    url: `https://${STAND_IN_REGISTRY.host}`,
    scheme: 'UsernamePassword',
    parameters: { registry: `https://${STAND_IN_REGISTRY.host}`, username: STAND_IN_REGISTRY.username, password },
  };
}

function makeSources(files?: Record<string, string>): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'kaniko-sources-'));
  if (!files) {
    fs.cpSync(SAMPLE_APP, folder, { recursive: true });
    return folder;
  }
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    fs.writeFileSync(path.join(folder, name), text);
  }
  return folder;
}

/**
 * Asserts that the run left no pod or Secret in its namespace and no blob in its container but
 * kept context archives, which runs keep for reruns on purpose.
 */
export async function assertNothingLeft(build: BuildRun): Promise<void> {
  const { cluster } = build.standIns;
  assert.deepEqual(cluster.listObjects('pods', build.namespace).map(name), [], 'pods left behind');
  assert.deepEqual(cluster.listObjects('secrets', build.namespace).map(name), [], 'Secrets left behind');
  assert.deepEqual((await listBlobs(build)).filter((blob) => !isKeptContextBlob(blob)), [], 'blobs left behind');
}

export async function listBlobs(build: BuildRun): Promise<string[]> {
  const { caPem } = build.standIns.azurite;
  if (caPem) return (await listBlobsOverHttps(build, caPem)) ?? [];
  const container = blobService(build).getContainerClient(build.container);
  if (!(await container.exists())) return [];
  const names: string[] = [];
  for await (const blob of container.listBlobsFlat()) names.push(blob.name);
  return names;
}

export async function containerExists(build: BuildRun): Promise<boolean> {
  const { caPem } = build.standIns.azurite;
  if (caPem) return (await listBlobsOverHttps(build, caPem)) !== undefined;
  return blobService(build).getContainerClient(build.container).exists();
}

function blobService(build: BuildRun): BlobServiceClient {
  const { azurite } = build.standIns;
  return new BlobServiceClient(azurite.blobEndpoint, new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey));
}

/**
 * Lists the run's blobs through the REST API with an account SAS, for an Azurite started with
 * `oauth`: the SDK's client options cannot trust that Azurite's CA. Returns undefined when the
 * container does not exist.
 */
async function listBlobsOverHttps(build: BuildRun, caPem: string): Promise<string[] | undefined> {
  const { azurite } = build.standIns;
  const sas = generateAccountSASQueryParameters({
    services: AccountSASServices.parse('b').toString(),
    resourceTypes: AccountSASResourceTypes.parse('co').toString(),
    permissions: AccountSASPermissions.parse('rl'),
    expiresOn: new Date(Date.now() + 600_000),
  }, new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey)).toString();
  const url = `${azurite.blobEndpoint}/${build.container}?restype=container&comp=list&${sas}`;
  const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const call = httpsRequest(url, { ca: caPem, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    call.on('error', reject);
    call.end();
  });
  if (status === 404) return undefined;
  assert.equal(status, 200, body);
  return [...body.matchAll(/<Name>([^<]*)<\/Name>/g)].map((match) => match[1]);
}

/** Asserts that no secret value appears in anything the task printed, except the masking commands themselves. */
export function assertNoSecretInOutput(build: BuildRun): void {
  const printed = build.run.rawStdout
    .split('\n')
    .filter((line) => !line.startsWith('##vso[task.setsecret]'))
    .join('\n') + build.run.stderr;
  for (const secret of build.secrets) {
    assert.ok(!printed.includes(secret), `a secret value (${secret.length} characters) appears in the output`);
  }
}

/** Returns the step's error issues, one a line. */
export function errors(run: TaskRunResult): string {
  return run.issues.filter((issue) => issue.type === 'error').map((issue) => issue.message).join('\n');
}

function name(object: { metadata?: { name?: string } }): string {
  return object.metadata?.name ?? '';
}

/** Watches the namespace's Secrets through the API, as another client would, and keeps each one as created. */
export async function recordSecrets(cluster: LocalCluster, namespace: string): Promise<{ added: V1Secret[]; stop: () => void }> {
  const config = new KubeConfig();
  config.loadFromString(cluster.kubeconfig());
  const added: V1Secret[] = [];
  const controller = await new Watch(config).watch(
    `/api/v1/namespaces/${namespace}/secrets`,
    {},
    (type, object: V1Secret) => {
      if (type === 'ADDED') added.push(object);
    },
    () => undefined,
  );
  return { added, stop: () => controller.abort() };
}

/** Runs a build in a new namespace named `prefix-<random>` and returns the decoded data of every Secret it created. */
export async function buildRecordingSecrets(
  scenario: BuildScenario, prefix: string,
): Promise<{ build: BuildRun; secretData: Record<string, string>[] }> {
  const { cluster } = scenario.standIns ?? await sharedStandIns();
  const namespace = `${prefix}-${randomBytes(3).toString('hex')}`;
  cluster.createNamespace(namespace);
  const secrets = await recordSecrets(cluster, namespace);
  try {
    const build = await runBuild({ ...scenario, namespace });
    const secretData = secrets.added.map((secret) => Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')])));
    return { build, secretData };
  } finally {
    secrets.stop();
  }
}
