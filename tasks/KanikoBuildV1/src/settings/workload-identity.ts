// Registry credentials through the build pod's Azure workload identity: no registry connection,
// and kaniko's acr-env credential helper gets an ACR token from the pod's federated token.
import { loc } from '../messages';
import type { PulledImage } from './dockerfile';
import { imageRegistry } from './image';
import type { Problems } from './problems';
import type { RegistrySettings, WorkloadIdentitySettings } from './types';

export type RegistryCredentialsMode = 'serviceConnection' | 'workloadIdentity';

/** The Docker credential helper in kaniko's images that serves ACR (chrismellard/docker-credential-acr-env). */
export const ACR_CREDENTIAL_HELPER = 'acr-env';

/**
 * ACR login server suffixes that the acr-env helper serves, and the go-autorest cloud name
 * (AZURE_ENVIRONMENT) that makes it request tokens from that cloud's Entra ID. The helper's own
 * pattern (pkg/credhelper/helper.go) is not anchored, so it would also accept a host such as
 * `x.azurecr.io.example.com`. The task requires the suffix at the end.
 */
const ACR_CLOUDS: [suffix: string, azureEnvironment: string | undefined][] = [
  ['.azurecr.io', undefined],
  ['.azurecr.cn', 'AzureChinaCloud'],
  ['.azurecr.us', 'AzureUSGovernmentCloud'],
  ['.azurecr.de', 'AzureGermanCloud'],
];
const DNS_LABELS = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

/** Parses the registryCredentials input; empty means the default, `serviceConnection`. */
export function parseRegistryCredentials(input: string, problems: Problems): RegistryCredentialsMode | undefined {
  const value = input || 'serviceConnection';
  if (value === 'serviceConnection' || value === 'workloadIdentity') return value;
  problems.add(loc('RegistryCredentialsInvalid', input));
  return undefined;
}

/**
 * Returns the push registry from the repository's host, which must be an ACR login server. The
 * registry has no stored credentials: config.json maps its host to the acr-env helper.
 */
export function parseWorkloadIdentityRegistry(repository: string, problems: Problems): RegistrySettings | undefined {
  if (!repository) {
    problems.add(loc('RepositoryMissing'));
    return undefined;
  }
  const slash = repository.indexOf('/');
  const first = slash > 0 ? repository.slice(0, slash) : '';
  if (!first.includes('.') && !first.includes(':')) {
    problems.add(loc('RepositoryNeedsLoginServer', repository, repository));
    return undefined;
  }
  const host = first.toLowerCase();
  if (acrCloud(host) === undefined) {
    problems.add(loc('RepositoryNotAcr', repository, host));
    return undefined;
  }
  return { connectionName: '', host, authKey: host, username: '', password: '', helper: ACR_CREDENTIAL_HELPER };
}

/**
 * Returns helper entries for the ACR registries that the build pulls from and that no
 * connection covers: the pod's identity pulls from them too, so it needs AcrPull there.
 */
export function workloadIdentityPullRegistries(images: PulledImage[], covered: RegistrySettings[]): RegistrySettings[] {
  const hosts = new Set(covered.map((registry) => registry.host));
  const registries: RegistrySettings[] = [];
  for (const host of images.map((image) => imageRegistry(image.reference))) {
    if (hosts.has(host) || acrCloud(host) === undefined) continue;
    hosts.add(host);
    registries.push({ connectionName: '', host, authKey: host, username: '', password: '', helper: ACR_CREDENTIAL_HELPER });
  }
  return registries;
}

/** Returns the workload identity settings of the build pod for a registry on `host`. */
export function workloadIdentitySettings(host: string | undefined): WorkloadIdentitySettings {
  const azureEnvironment = host ? acrCloud(host)?.azureEnvironment : undefined;
  return azureEnvironment ? { azureEnvironment } : {};
}

function acrCloud(host: string): { azureEnvironment?: string } | undefined {
  if (!DNS_LABELS.test(host)) return undefined;
  const match = ACR_CLOUDS.find(([suffix]) => host.endsWith(suffix) && host.length > suffix.length);
  return match ? { azureEnvironment: match[1] } : undefined;
}
