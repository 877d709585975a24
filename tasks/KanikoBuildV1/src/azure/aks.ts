// The kubeconfig of an AKS cluster, from Azure Resource Manager.
import type { TokenCredential } from '@azure/identity';
import { KubeConfig, type User } from '@kubernetes/client-node';
import * as tl from 'azure-pipelines-task-lib/task';
import type { AksClusterSettings } from '../settings/types';
import { withDeadline } from '../timeout';
import { getMaskedToken } from './credential';
import { AzureResponseError } from './errors';

/** API version of Microsoft.ContainerService/managedClusters that the credential actions use. */
const AKS_API_VERSION = '2024-05-01';
/** Time limit of the credential action, including reading its response. */
const REQUEST_TIMEOUT_MS = 60_000;
/** The Entra application of the AKS API server, the audience of tokens for Entra-integrated clusters. */
export const AKS_SERVER_APPLICATION = '6dae42f8-4368-4678-94ff-3960e28e3630';

/** Returns the cluster's kubeconfig, with an Entra token in place of a kubelogin exec user. */
export async function fetchAksKubeconfig(aks: AksClusterSettings, credential: TokenCredential, signal: AbortSignal): Promise<string> {
  const { arm } = aks;
  const armToken = await getMaskedToken(credential, `${arm.resourceManagerAudience.replace(/\/+$/, '')}/.default`, signal);
  const action = aks.admin ? 'listClusterAdminCredential' : 'listClusterUserCredential';
  const url = `${arm.resourceManagerUrl}/subscriptions/${encodeURIComponent(arm.subscriptionId)}`
    + `/resourceGroups/${encodeURIComponent(aks.resourceGroup)}/providers/Microsoft.ContainerService`
    + `/managedClusters/${encodeURIComponent(aks.clusterName)}/${action}?api-version=${AKS_API_VERSION}`;
  const body = await withDeadline(async (deadline) => {
    const response = await fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${armToken}` }, signal: deadline });
    if (!response.ok) throw await armError(response, action);
    return (await response.json()) as { kubeconfigs?: { name?: string; value?: string }[] };
  }, REQUEST_TIMEOUT_MS, action, signal);
  const encoded = body.kubeconfigs?.[0]?.value;
  if (!encoded) throw new Error(`${action} returned no kubeconfig`);
  return replaceKubeloginUser(Buffer.from(encoded, 'base64').toString('utf8'), credential, signal);
}

/** Builds the error of an ARM error body (`{ error: { code, message } }`): `... returned HTTP 403 AuthorizationFailed: message`. */
async function armError(response: Response, action: string): Promise<AzureResponseError> {
  let code = '';
  let detail = '';
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? '';
    detail = [body.error?.code, body.error?.message].filter(Boolean).join(': ');
  } catch {
    // The status code alone still identifies the failure.
  }
  const message = `${action} returned HTTP ${response.status}${detail ? ` ${detail}` : ''}`.replace(/\.+$/, '');
  return new AzureResponseError(message, response.status, code);
}

/**
 * Entra-integrated clusters return a kubeconfig whose user runs `kubelogin get-token`. The
 * task gets that token itself (audience: the AKS server application named by `--server-id`),
 * so the agent needs no kubelogin.
 */
async function replaceKubeloginUser(kubeconfig: string, credential: TokenCredential, signal: AbortSignal): Promise<string> {
  const config = new KubeConfig();
  config.loadFromString(kubeconfig);
  const user = config.getCurrentUser();
  for (const value of [user?.token, user?.keyData]) if (value) tl.setSecret(value);
  const exec = user?.exec as { command?: string; args?: string[] } | undefined;
  if (!user || !exec) return config.exportConfig();
  const serverIdIndex = exec.args?.indexOf('--server-id') ?? -1;
  const serverId = serverIdIndex >= 0 ? exec.args?.[serverIdIndex + 1] : undefined;
  const token = await getMaskedToken(credential, `${serverId ?? AKS_SERVER_APPLICATION}/.default`, signal);
  const tokenUser: User = { name: user.name, token };
  const context = config.getContextObject(config.getCurrentContext());
  const cluster = config.getCurrentCluster();
  const single = new KubeConfig();
  single.loadFromOptions({
    clusters: cluster ? [cluster] : [],
    users: [tokenUser],
    contexts: context ? [{ ...context, user: tokenUser.name }] : [],
    currentContext: context?.name,
  });
  return single.exportConfig();
}
