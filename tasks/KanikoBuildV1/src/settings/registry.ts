// Turns the container registry service connection into the credentials kaniko pushes with.
import { loc } from '../messages';
import type { Problems } from './problems';
import type { RawEndpoint, RawVariables } from './raw';
import type { AcrTokenExchange, RegistrySettings } from './types';

/** The config.json key that Docker Hub credentials must use; kaniko looks up no other. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';
/** The user name that goes with an ACR refresh token (Azure/acr docs, AAD-OAuth.md). */
export const ACR_REFRESH_TOKEN_USER = '00000000-0000-0000-0000-000000000000';
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/**
 * Parses a Docker Registry connection, or an Azure Container Registry one with a service
 * principal, workload identity federation or the agent's managed identity.
 */
export function parseRegistryEndpoint(
  endpoint: RawEndpoint | undefined, problems: Problems, variables?: RawVariables,
): RegistrySettings | undefined {
  if (!endpoint) {
    problems.add(loc('ConnectionMissing', 'containerRegistry'));
    return undefined;
  }
  const registryType = endpoint.data.registrytype ?? endpoint.data.registryType;
  const scheme = endpoint.scheme ?? '';
  if (scheme === 'UsernamePassword') return fromUsernamePassword(endpoint, problems);
  if (scheme === 'ServicePrincipal' && registryType?.toUpperCase() === 'ACR') return fromServicePrincipal(endpoint, problems);
  if (scheme === 'WorkloadIdentityFederation' && registryType?.toUpperCase() === 'ACR') {
    return fromWorkloadIdentity(endpoint, problems, variables);
  }
  if (scheme === 'ManagedServiceIdentity' && registryType?.toUpperCase() === 'ACR') return fromManagedIdentity(endpoint, problems);
  problems.add(loc('RegistryAuthUnsupported', endpoint.input, endpoint.id, scheme || '(none)'));
  return undefined;
}

function fromUsernamePassword(endpoint: RawEndpoint, problems: Problems): RegistrySettings | undefined {
  const { registry, username, password } = endpoint.parameters;
  const host = registryHost(registry || endpoint.url || '');
  if (!host) {
    problems.add(loc('RegistryAddressInvalid', endpoint.input, registry || endpoint.url || '(empty)'));
    return undefined;
  }
  if (!username || !password) {
    problems.add(loc('RegistryCredentialsMissing', endpoint.input, host));
    return undefined;
  }
  if (DOCKER_HUB_HOSTS.has(host)) {
    return { connectionName: endpoint.id, host: 'docker.io', authKey: DOCKER_HUB_AUTH_KEY, username, password };
  }
  return { connectionName: endpoint.id, host, authKey: host, username, password };
}

function fromServicePrincipal(endpoint: RawEndpoint, problems: Problems): RegistrySettings | undefined {
  const loginServer = endpoint.parameters.loginServer || endpoint.data.loginServer || endpoint.url || '';
  const host = registryHost(loginServer);
  const { serviceprincipalid: clientId, serviceprincipalkey: clientSecret } = endpoint.parameters;
  if (!host) {
    problems.add(loc('RegistryAddressInvalid', endpoint.input, loginServer || '(empty)'));
    return undefined;
  }
  if (!clientId || !clientSecret) {
    problems.add(loc('RegistryCredentialsMissing', endpoint.input, host));
    return undefined;
  }
  // ACR accepts a service principal's application id and secret as user name and password.
  return { connectionName: endpoint.id, host, authKey: host, username: clientId, password: clientSecret };
}

/** Parses an ACR connection with workload identity federation, whose password is a refresh token got at run time. */
function fromWorkloadIdentity(endpoint: RawEndpoint, problems: Problems, variables?: RawVariables): RegistrySettings | undefined {
  const loginServer = endpoint.parameters.loginServer || endpoint.data.loginServer || endpoint.url || '';
  const host = registryHost(loginServer);
  const clientId = endpoint.parameters.serviceprincipalid;
  const tenantId = endpoint.parameters.tenantId || endpoint.parameters.tenantid;
  if (!host) {
    problems.add(loc('RegistryAddressInvalid', endpoint.input, loginServer || '(empty)'));
    return undefined;
  }
  if (!clientId || !tenantId) {
    problems.add(loc('RegistryCredentialsMissing', endpoint.input, host));
    return undefined;
  }
  if (!variables?.accessToken) {
    problems.add(loc('OidcUnavailable', endpoint.input));
    return undefined;
  }
  return exchangedRegistry(endpoint, host, {
    kind: 'workloadIdentity',
    connectionId: endpoint.id,
    tenantId,
    clientId,
    authorityHost: (endpoint.data.environmentAuthorityUrl || 'https://login.microsoftonline.com').replace(/\/+$/, ''),
    accessToken: variables.accessToken,
  });
}

/**
 * Parses an ACR connection that uses the managed identity of the machine the agent runs on. Its
 * password is a refresh token got at run time. Like Microsoft's Docker tasks (docker-common in
 * microsoft/azure-pipelines-tasks-common-packages), it uses the machine's default identity, so a
 * machine with several user-assigned identities needs a system-assigned one.
 */
function fromManagedIdentity(endpoint: RawEndpoint, problems: Problems): RegistrySettings | undefined {
  const loginServer = endpoint.parameters.loginServer || endpoint.data.loginServer || endpoint.url || '';
  const host = registryHost(loginServer);
  if (!host) {
    problems.add(loc('RegistryAddressInvalid', endpoint.input, loginServer || '(empty)'));
    return undefined;
  }
  return exchangedRegistry(endpoint, host, { kind: 'managedIdentity', connectionId: endpoint.id, tenantId: endpoint.parameters.tenantId || '' });
}

/** Returns an ACR registry whose password is the refresh token that `tokenExchange` gets at run time. */
function exchangedRegistry(endpoint: RawEndpoint, host: string, tokenExchange: AcrTokenExchange): RegistrySettings {
  return { connectionName: endpoint.id, host, authKey: host, username: ACR_REFRESH_TOKEN_USER, password: '', tokenExchange };
}

/** Returns the lower-case host (with port) of a registry address such as `https://myreg.azurecr.io/v1/`. */
export function registryHost(address: string): string | undefined {
  const trimmed = address.trim();
  if (!trimmed) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  try {
    const url = new URL(withScheme);
    return url.host ? url.host.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}
