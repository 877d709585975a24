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

/** Parses an Azure Resource Manager connection that uses a service principal secret or workload identity federation. */
export function parseArmEndpoint(
  endpoint: RawEndpoint | undefined, variables: RawVariables, problems: Problems,
): ArmConnection | undefined {
  if (!endpoint) {
    problems.add(loc('ConnectionMissing', 'azureSubscriptionEndpoint'));
    return undefined;
  }
  const { serviceprincipalid: clientId, tenantid: tenantId } = endpoint.parameters;
  const subscriptionId = endpoint.data.subscriptionid;
  if (!clientId || !tenantId || !subscriptionId || !GUID.test(subscriptionId)) {
    problems.add(loc('ArmConnectionIncomplete', endpoint.input));
    return undefined;
  }
  const auth = parseArmAuth(endpoint, variables, problems);
  if (!auth) return undefined;
  return {
    connectionId: endpoint.id,
    tenantId,
    clientId,
    subscriptionId,
    resourceManagerUrl: (endpoint.url || 'https://management.azure.com').replace(/\/+$/, ''),
    resourceManagerAudience: endpoint.data.activeDirectoryServiceEndpointResourceId || 'https://management.core.windows.net/',
    authorityHost: (endpoint.data.environmentAuthorityUrl || DEFAULT_AUTHORITY).replace(/\/+$/, ''),
    auth,
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
