// kaniko's registry credentials file, /kaniko/.docker/config.json.
import type { RegistrySettings } from '../settings/types';

export interface DockerConfig {
  /** The file's contents. */
  json: string;
  /** The base64 `auth` values, secrets of their own that must be masked too. */
  auths: string[];
}

/**
 * Returns a config.json with an `auths` entry (or a `credHelpers` entry for a helper) for each
 * registry that has credentials, under the key kaniko looks up. The first registry with a given
 * key wins, so the push registry comes first.
 */
export function dockerConfig(registries: RegistrySettings[]): DockerConfig {
  const auths: Record<string, { auth: string }> = {};
  const credHelpers: Record<string, string> = {};
  for (const registry of registries) {
    if (registry.noCredentials || registry.authKey in auths || registry.authKey in credHelpers) continue;
    if (registry.helper) {
      credHelpers[registry.authKey] = registry.helper;
    } else {
      auths[registry.authKey] = { auth: Buffer.from(`${registry.username}:${registry.password}`, 'utf8').toString('base64') };
    }
  }
  const config = {
    ...(Object.keys(auths).length ? { auths } : {}),
    ...(Object.keys(credHelpers).length ? { credHelpers } : {}),
  };
  return { json: JSON.stringify(config), auths: Object.values(auths).map((entry) => entry.auth) };
}
