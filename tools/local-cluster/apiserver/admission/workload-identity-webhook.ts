// The Azure workload identity mutating webhook (Azure/azure-workload-identity v1.6.0,
// pkg/webhook/webhook.go and consts.go), which AKS installs when workload identity is enabled.
// Its MutatingWebhookConfiguration selects pods labelled `azure.workload.identity/use: "true"`
// on CREATE. For each container it adds AZURE_CLIENT_ID (from the service account's client-id
// annotation), AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE and AZURE_AUTHORITY_HOST, skipping
// variables that the container already sets and values that are empty, and mounts a projected
// service account token for the audience `api://AzureADTokenExchange`.
// NOTE: the proxy sidecar and custom token endpoint annotations are not emulated. Webhook
// releases before v1.6.0 mount the token at /var/run/secrets/azure/tokens/azure-identity-token.
import { createHash } from 'node:crypto';
import type { V1Container, V1Pod, V1ServiceAccount, V1Volume } from '@kubernetes/client-node';
import { ApiError } from '../status';

export const USE_WORKLOAD_IDENTITY_LABEL = 'azure.workload.identity/use';
export const CLIENT_ID_ANNOTATION = 'azure.workload.identity/client-id';
export const TENANT_ID_ANNOTATION = 'azure.workload.identity/tenant-id';
export const TOKEN_EXPIRATION_ANNOTATION = 'azure.workload.identity/service-account-token-expiration';
export const SKIP_CONTAINERS_ANNOTATION = 'azure.workload.identity/skip-containers';
export const WORKLOAD_IDENTITY_MOUNT_PATH = '/var/run/secrets/azure/wi';
export const FEDERATED_TOKEN_FILE = `${WORKLOAD_IDENTITY_MOUNT_PATH}/token/azure-identity-token`;
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

const WEBHOOK_NAME = 'mutation.azure-workload-identity.io';
const VOLUME_NAME_PREFIX = 'azure-workload-identity-reserved-';
const MAX_VOLUME_NAME_LENGTH = 63;
const DEFAULT_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 3600;
const MAX_EXPIRATION_SECONDS = 86400;

/** The webhook's configuration: the cluster's tenant and the Entra authority of its cloud. */
export interface WorkloadIdentityWebhookSettings {
  /** The default AZURE_TENANT_ID, for service accounts without the tenant-id annotation. */
  tenantId: string;
  /** AZURE_AUTHORITY_HOST; the public cloud's is `https://login.microsoftonline.com/`. */
  authorityHost: string;
}

/** Mutates a pod that carries the webhook's label; other pods pass unchanged. */
export function mutateForWorkloadIdentity(pod: V1Pod, serviceAccount: V1ServiceAccount, settings: WorkloadIdentityWebhookSettings): void {
  if (pod.metadata?.labels?.[USE_WORKLOAD_IDENTITY_LABEL] !== 'true') return;
  const spec = pod.spec!;
  const podName = pod.metadata?.name || `${pod.metadata?.generateName ?? ''} (prefix)`;
  const expirationSeconds = tokenExpiration(pod, serviceAccount);

  const accountAnnotations = serviceAccount.metadata?.annotations ?? {};
  const tenantAnnotation = accountAnnotations[TENANT_ID_ANNOTATION];
  const env = {
    AZURE_CLIENT_ID: accountAnnotations[CLIENT_ID_ANNOTATION] ?? '',
    AZURE_TENANT_ID: tenantAnnotation !== undefined ? tenantAnnotation : settings.tenantId,
    AZURE_FEDERATED_TOKEN_FILE: FEDERATED_TOKEN_FILE,
    AZURE_AUTHORITY_HOST: settings.authorityHost,
  };

  const skipped = skipContainers(pod);
  const volumeName = projectedVolumeName(podName);
  for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
    if (skipped.has(container.name)) continue;
    addEnvironment(container, env);
    addVolumeMount(container, volumeName);
  }

  const volume: V1Volume = {
    name: volumeName,
    projected: {
      sources: [{ serviceAccountToken: { path: 'token/azure-identity-token', expirationSeconds, audience: TOKEN_EXCHANGE_AUDIENCE } }],
    },
  };
  const volumes = spec.volumes ?? [];
  const existing = volumes.findIndex((candidate) => candidate.name === volumeName);
  if (existing >= 0) volumes[existing] = volume;
  else volumes.push(volume);
  spec.volumes = volumes;
}

/** Returns the volume name: the prefix and the start of the SHA-256 hex digest of the pod name, 63 characters in all. */
export function projectedVolumeName(podName: string): string {
  const digest = createHash('sha256').update(podName).digest('hex');
  return VOLUME_NAME_PREFIX + digest.slice(0, MAX_VOLUME_NAME_LENGTH - VOLUME_NAME_PREFIX.length);
}

/** Returns the token lifetime from the pod's annotation, else the service account's, else 3600 seconds. */
function tokenExpiration(pod: V1Pod, serviceAccount: V1ServiceAccount): number {
  const text = pod.metadata?.annotations?.[TOKEN_EXPIRATION_ANNOTATION] || serviceAccount.metadata?.annotations?.[TOKEN_EXPIRATION_ANNOTATION];
  if (!text) return DEFAULT_EXPIRATION_SECONDS;
  if (!/^[+-]?\d+$/.test(text)) throw webhookDenied(`strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`);
  const seconds = Number(text);
  if (seconds < MIN_EXPIRATION_SECONDS || seconds > MAX_EXPIRATION_SECONDS) {
    throw webhookDenied(`token expiration ${seconds} not valid. Expected value to be between ${MIN_EXPIRATION_SECONDS} and ${MAX_EXPIRATION_SECONDS}`);
  }
  return seconds;
}

function skipContainers(pod: V1Pod): Set<string> {
  const text = pod.metadata?.annotations?.[SKIP_CONTAINERS_ANNOTATION] ?? '';
  return new Set(text ? text.split(';').map((name) => name.trim()) : []);
}

function addEnvironment(container: V1Container, values: Record<string, string>): void {
  const present = new Set((container.env ?? []).map((variable) => variable.name));
  const added = Object.entries(values).filter(([name, value]) => !present.has(name) && value !== '');
  if (added.length === 0) return;
  container.env = [...(container.env ?? []), ...added.map(([name, value]) => ({ name, value }))];
}

function addVolumeMount(container: V1Container, volumeName: string): void {
  const mount = { name: volumeName, mountPath: WORKLOAD_IDENTITY_MOUNT_PATH, readOnly: true };
  const mounts = container.volumeMounts ?? [];
  const existing = mounts.findIndex((candidate) => candidate.name === volumeName);
  if (existing >= 0) mounts[existing] = mount;
  else mounts.push(mount);
  container.volumeMounts = mounts;
}

/**
 * The API server's response when the webhook returns an error (controller-runtime's
 * admission.Errored with 400): a Status without a reason whose message names the webhook
 * (apiserver's webhookerrors.ToStatusErr).
 */
function webhookDenied(message: string): ApiError {
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `admission webhook ${JSON.stringify(WEBHOOK_NAME)} denied the request: ${message}`,
    code: 400,
  });
}
