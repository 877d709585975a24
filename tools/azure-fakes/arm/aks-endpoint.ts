// The fake Azure Resource Manager serves the two AKS operations a build task needs
// ("Managed Clusters - List Cluster User Credentials" and "... Admin Credentials", AKS REST API):
//   POST /subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.ContainerService/
//        managedClusters/{name}/listClusterUserCredential?api-version=...  (or listClusterAdminCredential)
// The response is `{ "kubeconfigs": [{ "name": "clusterUser", "value": base64(kubeconfig) }] }`.
// Checks run in ARM's order: api-version, authentication, subscription, authorization, then
// the resource group and the cluster, so a caller without rights cannot learn what exists.
import type { EntraDirectory } from '../entra/directory';
import { headerValue, type FakeRequest, type FakeResponse } from '../shared/https-server';
import { isGuid, newGuid } from '../shared/ids';
import { authenticateArmCaller } from './authentication';
import { ArmError, armErrorResponse, armErrors } from './errors';
import type { ResourceInventory } from './inventory';
import type { RoleAssignments } from './rbac';

export interface ArmContext {
  directory: EntraDirectory;
  inventory: ResourceInventory;
  roles: RoleAssignments;
  /** The fake Entra ID's URL, for the authority that ARM names in challenges and messages. */
  authorityUrl: () => string;
}

const CREDENTIAL_PATH =
  /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.containerservice\/managedclusters\/([^/]+)\/(listclusterusercredential|listclusteradmincredential)$/i;

const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

export function handleArmRequest(context: ArmContext, request: FakeRequest): FakeResponse {
  const correlationId = headerValue(request, 'x-ms-correlation-request-id') ?? newGuid();
  const tracking = { 'x-ms-request-id': newGuid(), 'x-ms-correlation-request-id': correlationId };
  let response: FakeResponse;
  try {
    response = serveCredentials(context, request);
  } catch (error) {
    if (!(error instanceof ArmError)) throw error;
    response = armErrorResponse(error, context.authorityUrl());
  }
  return { ...response, headers: { ...tracking, ...response.headers } };
}

function serveCredentials(context: ArmContext, request: FakeRequest): FakeResponse {
  const match = CREDENTIAL_PATH.exec(request.url.pathname);
  if (!match) throw new ArmError(404, 'NotFound', `The fake Azure Resource Manager serves no ${request.url.pathname}.`);
  if (request.method !== 'POST') throw new ArmError(405, 'MethodNotAllowed', `The requested resource does not support http method '${request.method}'.`);
  const [subscriptionId, group, name] = match.slice(1, 4).map(decodeURIComponent);
  const admin = match[4].toLowerCase() === 'listclusteradmincredential';

  const apiVersion = request.url.searchParams.get('api-version');
  if (!apiVersion) throw armErrors.missingApiVersion();
  if (!API_VERSION.test(apiVersion)) throw armErrors.invalidApiVersion(apiVersion);

  const caller = authenticateArmCaller(headerValue(request, 'authorization'), context.directory);
  if (!isGuid(subscriptionId)) throw armErrors.invalidSubscriptionId(subscriptionId);
  const subscription = context.inventory.subscription(subscriptionId);
  if (!subscription) throw armErrors.subscriptionNotFound(subscriptionId);
  if (caller.tid !== subscription.tenantId) throw armErrors.wrongTenant(caller.iss, subscription.tenantId, context.authorityUrl());

  const action = `Microsoft.ContainerService/managedClusters/${admin ? 'listClusterAdminCredential' : 'listClusterUserCredential'}/action`;
  const scope = `/subscriptions/${subscriptionId}/resourceGroups/${group}/providers/Microsoft.ContainerService/managedClusters/${name}`;
  if (!context.roles.allows(caller.oid, action, scope)) throw armErrors.authorizationFailed(caller.appid, caller.oid, action, scope);

  if (!context.inventory.hasResourceGroup(subscriptionId, group)) throw armErrors.resourceGroupNotFound(group);
  const cluster = context.inventory.managedCluster(subscriptionId, group, name);
  if (!cluster) throw armErrors.resourceNotFound('Microsoft.ContainerService/managedClusters', name, group);
  if (admin && cluster.localAccountsDisabled) throw armErrors.localAccountsDisabled();

  // NOTE: The `format` (azure or exec) and `server-fqdn` query parameters are recorded but not
  // applied: the cluster returns the kubeconfig the test configured.
  const kubeconfig = admin ? cluster.adminKubeconfig : cluster.userKubeconfig;
  return {
    status: 200,
    json: { kubeconfigs: [{ name: admin ? 'clusterAdmin' : 'clusterUser', value: Buffer.from(kubeconfig, 'utf8').toString('base64') }] },
  };
}
