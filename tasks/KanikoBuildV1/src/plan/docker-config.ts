// kaniko's registry credentials file, /kaniko/.docker/config.json.
import type { RegistrySettings } from '../settings/types';

export interface DockerConfig {
  /** The file's contents. */
  json: string;
  /** The base64 `auth` value, a secret of its own that must be masked too. */
  auth: string;
}

/** Returns a config.json with one `auths` entry under the key kaniko looks up for the registry. */
export function dockerConfig(registry: RegistrySettings): DockerConfig {
  const auth = Buffer.from(`${registry.username}:${registry.password}`, 'utf8').toString('base64');
  return { json: JSON.stringify({ auths: { [registry.authKey]: { auth } } }), auth };
}
