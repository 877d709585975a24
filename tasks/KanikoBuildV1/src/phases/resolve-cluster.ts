// The kubeconfig of the run: from the Kubernetes connection, or fetched from AKS through Azure Resource Manager.
import { azureErrorSummary, createArmCredential } from '../azure/credential';
import { fetchAksKubeconfig } from '../azure/aks';
import { loc } from '../messages';
import type { ClusterSettings } from '../settings/types';

export async function resolveKubeconfig(cluster: ClusterSettings, signal: AbortSignal): Promise<string> {
  if (cluster.kind === 'kubeconfig') return cluster.kubeconfig;
  const { arm, resourceGroup, clusterName } = cluster;
  console.log(loc('FetchingAksCredentials', clusterName, resourceGroup, arm.subscriptionId));
  try {
    return await fetchAksKubeconfig(cluster, createArmCredential(arm), signal);
  } catch (error) {
    signal.throwIfAborted();
    const reason = azureErrorSummary(error);
    throw new Error(loc('AksCredentialsFailed', clusterName, resourceGroup, arm.connectionId, reason), { cause: error });
  }
}
