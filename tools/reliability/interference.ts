// Other clients' actions while a run builds: a clean-up job that deletes the run's storage
// Secret, a lifecycle rule that deletes its context blob. It also records the data of the
// run's Secrets as the cluster stores them, so that the output check covers derived secrets
// such as the SAS URL.
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { KubeConfig, Watch, type V1Secret } from '@kubernetes/client-node';
import type { SuiteEnvironment } from './environment';
import type { Scenario } from './matrix';

/** The server ends the suite's own watch after this time; a run takes far less. */
const WATCH_SECONDS = 600;

export interface RunInterference {
  /** Receives each log line of the run. */
  onLine(line: string): void;
  /** Secret values the run's Secrets carried: the data, the registry auth strings and SAS signatures. */
  secretsSeenInCluster(): string[];
  stop(): void;
}

export async function startInterference(environment: SuiteEnvironment, scenario: Scenario, container: string): Promise<RunInterference> {
  const config = new KubeConfig();
  config.loadFromString(environment.cluster.kubeconfig());
  const prefix = `kaniko-${scenario.index}-`;
  const values = new Set<string>();
  const watch = await new Watch(config).watch(
    `/api/v1/namespaces/${environment.namespace}/secrets`,
    { timeoutSeconds: WATCH_SECONDS },
    (type, secret: V1Secret) => {
      const name = secret.metadata?.name ?? '';
      if (type !== 'ADDED' || !name.startsWith(prefix)) return;
      for (const value of Object.values(secret.data ?? {})) collectSecretValues(Buffer.from(value, 'base64').toString('utf8'), values);
    },
    () => undefined,
  );
  // The storage Secret goes before the task can create the pod that reads it.
  const stopDeleting = scenario.interference === 'deleteStorageSecret'
    ? environment.cluster.deleteSecretsWhenCreated((secret) => secret.metadata.name.startsWith(prefix) && secret.metadata.name.endsWith('-storage'))
    : undefined;
  let blobDeletion: Promise<void> | undefined;
  return {
    onLine: (line) => {
      if (scenario.interference === 'deleteBlobAfterUpload' && !blobDeletion && /^Uploaded /.test(line)) {
        blobDeletion = deleteBlobs(environment, container);
      }
    },
    secretsSeenInCluster: () => [...values],
    stop: () => {
      watch.abort();
      stopDeleting?.();
    },
  };
}

async function deleteBlobs(environment: SuiteEnvironment, container: string): Promise<void> {
  const { azurite } = environment;
  const service = new BlobServiceClient(azurite.blobEndpoint, new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey));
  const client = service.getContainerClient(container);
  for await (const blob of client.listBlobsFlat()) await client.deleteBlob(blob.name);
}

/** Adds a Secret value and the secrets inside it: the auth strings of a Docker config, the signature of a SAS URL. */
function collectSecretValues(text: string, values: Set<string>): void {
  values.add(text);
  try {
    const parsed = JSON.parse(text) as { auths?: Record<string, { auth?: string; password?: string }> };
    for (const entry of Object.values(parsed.auths ?? {})) {
      if (entry.auth) values.add(entry.auth);
      if (entry.password) values.add(entry.password);
    }
  } catch {
    // Not a Docker config.
  }
  const signature = /[?&]sig=([^&]+)/.exec(text)?.[1];
  if (signature) {
    values.add(signature);
    values.add(decodeURIComponent(signature));
  }
}
