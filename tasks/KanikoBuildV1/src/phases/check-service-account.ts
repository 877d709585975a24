// Reads the service account the build pod will run under, before anything is created. Kubernetes
// rejects a pod whose account is missing. With workload identity, an account without the
// client-id annotation gives kaniko no identity to get an ACR token with.
import * as tl from 'azure-pipelines-task-lib/task';
import { ApiException, type V1ServiceAccount } from '@kubernetes/client-node';
import type { ClusterApi } from '../kubernetes/client';
import { describeApiError } from '../kubernetes/errors';
import { loc } from '../messages';
import type { PodSettings } from '../settings/types';
import { withTimeout } from '../timeout';

/** The service account annotation that the workload identity webhook turns into AZURE_CLIENT_ID (Azure/azure-workload-identity). */
export const CLIENT_ID_ANNOTATION = 'azure.workload.identity/client-id';
const HTTP_FORBIDDEN = 403;
const HTTP_NOT_FOUND = 404;
const REQUEST_TIMEOUT_MS = 30_000;

/** Checks the pod's service account; does nothing when the pod uses the namespace's `default`. */
export async function checkServiceAccount(api: ClusterApi, pod: PodSettings, signal: AbortSignal): Promise<void> {
  const name = pod.serviceAccount;
  if (!name) return;
  const account = await readAccount(api, pod.namespace, name, signal);
  if (!account) return;
  if (!pod.workloadIdentity) return;
  const clientId = account.metadata?.annotations?.[CLIENT_ID_ANNOTATION];
  if (!clientId) throw new Error(loc('ServiceAccountNoClientId', name, pod.namespace, name, pod.namespace));
  console.log(loc('ServiceAccountChecked', name, pod.namespace, clientId));
}

/** Returns the account, or undefined when reading it is forbidden, which only skips the check. */
async function readAccount(api: ClusterApi, namespace: string, name: string, signal: AbortSignal): Promise<V1ServiceAccount | undefined> {
  try {
    return await withTimeout(api.readServiceAccount(namespace, name), REQUEST_TIMEOUT_MS, `GET serviceaccount ${name}`, signal);
  } catch (error) {
    signal.throwIfAborted();
    const code = error instanceof ApiException ? error.code : undefined;
    if (code === HTTP_NOT_FOUND) throw new Error(loc('ServiceAccountNotFound', name, namespace, name, namespace), { cause: error });
    if (code === HTTP_FORBIDDEN) {
      tl.warning(loc('ServiceAccountCheckSkipped', name, namespace, describeApiError(error)));
      return undefined;
    }
    throw new Error(loc('ServiceAccountReadFailed', name, namespace, api.server, describeApiError(error)), { cause: error });
  }
}
