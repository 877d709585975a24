// An AKS cluster reached through an Azure Resource Manager service connection.
import { loc } from '../messages';
import type { Problems } from './problems';
import type { RawEndpoint, RawInputs, RawVariables } from './raw';
import type { AksClusterSettings, ArmAuth, ArmConnection } from './types';

// Naming rules from Microsoft's "Naming rules and restrictions for Azure resources".
const RESOURCE_GROUP = /^[-\w.()]{0,89}[-\w()]$/;
const CLUSTER_NAME = /^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$|^[a-zA-Z0-9]$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com';

export function parseAksCluster(
  inputs: RawInputs, endpoint: RawEndpoint | undefined, variables: RawVariables, problems: Problems,
): AksClusterSettings | undefined {
  const start = problems.count;
  if (!RESOURCE_GROUP.test(inputs.azureResourceGroup)) {
    problems.add(loc('ResourceGroupInvalid', inputs.azureResourceGroup || '(empty)'));
  }
  if (!CLUSTER_NAME.test(inputs.kubernetesCluster)) {
    problems.add(loc('ClusterNameInvalid', inputs.kubernetesCluster || '(empty)'));
  }
  const arm = parseArmEndpoint(endpoint, variables, problems);
  if (problems.count > start || !arm) return undefined;
  return {
    kind: 'aks',
    arm,
    resourceGroup: inputs.azureResourceGroup,
    clusterName: inputs.kubernetesCluster,
    admin: inputs.useClusterAdmin.toLowerCase() === 'true',
  };
}

/**
 * Parses an Azure Resource Manager connection that uses a service principal secret, workload
 * identity federation or the agent's managed identity.
 */
export function parseArmEndpoint(
  endpoint: RawEndpoint | undefined, variables: RawVariables, problems: Problems,
): ArmConnection | undefined {
  if (!endpoint) {
    problems.add(loc('ConnectionMissing', 'azureSubscriptionEndpoint'));
    return undefined;
  }
  if (endpoint.scheme === 'ManagedServiceIdentity') return parseManagedIdentityEndpoint(endpoint, problems);
  const { serviceprincipalid: clientId, tenantid: tenantId } = endpoint.parameters;
  const subscriptionId = endpoint.data.subscriptionid;
  if (!clientId || !tenantId || !subscriptionId || !GUID.test(subscriptionId)) {
    problems.add(loc('ArmConnectionIncomplete', endpoint.input));
    return undefined;
  }
  const auth = parseArmAuth(endpoint, variables, problems);
  if (!auth) return undefined;
  return { connectionId: endpoint.id, tenantId, clientId, subscriptionId, ...cloudEndpoints(endpoint), auth };
}

/**
 * Parses a connection of the "Managed identity (agent-assigned)" kind. Like Microsoft's
 * azure-arm-rest package (azure-arm-endpoint.ts in microsoft/azure-pipelines-tasks-common-packages),
 * it takes the tenant from the `tenantid` parameter and a user-assigned identity's client id from
 * the `msiclientId` data. Without that client id, the agent's system-assigned identity signs in.
 */
function parseManagedIdentityEndpoint(endpoint: RawEndpoint, problems: Problems): ArmConnection | undefined {
  const tenantId = endpoint.parameters.tenantid;
  const subscriptionId = endpoint.data.subscriptionid;
  const clientId = endpoint.data.msiclientId?.trim() ?? '';
  if (!tenantId || !subscriptionId || !GUID.test(subscriptionId)) {
    problems.add(loc('ArmManagedIdentityIncomplete', endpoint.input));
    return undefined;
  }
  if (clientId && !GUID.test(clientId)) {
    problems.add(loc('ManagedIdentityClientIdInvalid', endpoint.input, clientId));
    return undefined;
  }
  const auth = { kind: 'managedIdentity' } as const;
  return { connectionId: endpoint.id, tenantId, clientId, subscriptionId, ...cloudEndpoints(endpoint), auth };
}

/** Returns the Resource Manager and Entra ID addresses of the connection's cloud. */
function cloudEndpoints(endpoint: RawEndpoint): Pick<ArmConnection, 'resourceManagerUrl' | 'resourceManagerAudience' | 'authorityHost'> {
  return {
    resourceManagerUrl: (endpoint.url || 'https://management.azure.com').replace(/\/+$/, ''),
    resourceManagerAudience: endpoint.data.activeDirectoryServiceEndpointResourceId || 'https://management.core.windows.net/',
    authorityHost: (endpoint.data.environmentAuthorityUrl || DEFAULT_AUTHORITY).replace(/\/+$/, ''),
  };
}

function parseArmAuth(endpoint: RawEndpoint, variables: RawVariables, problems: Problems): ArmAuth | undefined {
  const scheme = endpoint.scheme ?? '';
  const secret = endpoint.parameters.serviceprincipalkey;
  if (scheme === 'ServicePrincipal' && endpoint.parameters.authenticationType !== 'spnCertificate' && secret) {
    return { kind: 'secret', clientSecret: secret };
  }
  if (scheme === 'WorkloadIdentityFederation') {
    if (!variables.oidcRequestUri || !variables.accessToken) {
      problems.add(loc('OidcUnavailable', endpoint.input));
      return undefined;
    }
    return { kind: 'workloadIdentity', oidcRequestUri: variables.oidcRequestUri, accessToken: variables.accessToken };
  }
  const certificate = endpoint.parameters.authenticationType === 'spnCertificate';
  problems.add(loc('ArmAuthUnsupported', endpoint.input, certificate ? 'a service principal certificate' : scheme || '(none)'));
  return undefined;
}
