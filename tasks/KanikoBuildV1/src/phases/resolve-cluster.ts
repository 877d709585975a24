// The kubeconfig of the run: from the Kubernetes connection, fetched from AKS through Azure Resource
// Manager, or built for the service account of the agent's pod.
import { KubeConfig } from '@kubernetes/client-node';
import * as tl from 'azure-pipelines-task-lib/task';
import { createArmCredential } from '../azure/credential';
import { fetchAksKubeconfig } from '../azure/aks';
import { azureErrorSummary, isExpiredTokenError, TokenRequestError } from '../azure/errors';
import { loc } from '../messages';
import type { AksClusterSettings, ClusterSettings } from '../settings/types';

export async function resolveKubeconfig(cluster: ClusterSettings, signal: AbortSignal): Promise<string> {
  if (cluster.kind === 'kubeconfig') return cluster.kubeconfig;
  if (cluster.kind === 'inCluster') return inClusterKubeconfig();
  const { arm, resourceGroup, clusterName } = cluster;
  console.log(loc('FetchingAksCredentials', clusterName, resourceGroup, arm.subscriptionId));
  if (arm.auth.kind === 'managedIdentity') {
    tl.debug(`${arm.connectionId}: the agent's ${arm.clientId ? `user-assigned managed identity ${arm.clientId}` : 'system-assigned managed identity'}`);
  }
  try {
    return await fetchAksKubeconfig(cluster, createArmCredential(arm), signal);
  } catch (error) {
    signal.throwIfAborted();
    throw new Error(aksFailureMessage(cluster, error), { cause: error });
  }
}

/** Returns a kubeconfig for the service account of the agent's pod, from its environment and mounted token. */
function inClusterKubeconfig(): string {
  const config = new KubeConfig();
  config.loadFromCluster();
  return config.exportConfig();
}

/** Returns the step's error for a failed credential request, with a hint that fits its cause. */
function aksFailureMessage(cluster: AksClusterSettings, error: unknown): string {
  const { arm, resourceGroup, clusterName } = cluster;
  const reason = azureErrorSummary(error);
  if (isExpiredTokenError(error)) return loc('AksTokenExpired', clusterName, arm.connectionId, reason);
  if (arm.auth.kind !== 'managedIdentity') return loc('AksCredentialsFailed', clusterName, resourceGroup, arm.connectionId, reason);
  if (error instanceof TokenRequestError) {
    return arm.clientId
      ? loc('UserAssignedIdentityUnavailable', arm.connectionId, arm.clientId, reason)
      : loc('ManagedIdentityUnavailable', arm.connectionId, reason);
  }
  const key = cluster.admin ? 'AksAdminCredentialsFailedManagedIdentity' : 'AksCredentialsFailedManagedIdentity';
  return loc(key, clusterName, resourceGroup, arm.connectionId, reason);
}
