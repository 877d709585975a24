// kaniko's access to registries: push retries, mirrors for Docker Hub images, and registries
// without TLS.
import { loc } from '../messages';
import { isRepositoryPath } from './image';
import type { Problems } from './problems';

export const MAX_PUSH_RETRY = 10;
/** A registry host with an optional port, such as `mirror.example.com:5000`. */
const REGISTRY_HOST = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::(\d{1,5}))?$/i;
const MAX_PORT = 65535;

/** Returns whether `host` is a registry host with a port from 1 to 65535, if any. */
function isRegistryHost(host: string): boolean {
  const match = REGISTRY_HOST.exec(host);
  if (!match) return false;
  return match[1] === undefined || (Number(match[1]) >= 1 && Number(match[1]) <= MAX_PORT);
}

/** Parses the pushRetry input: empty means 0, kaniko's default. */
export function parsePushRetry(input: string, problems: Problems): number | undefined {
  if (input === '') return 0;
  const retries = /^\d{1,2}$/.test(input) ? Number(input) : NaN;
  if (!(retries <= MAX_PUSH_RETRY)) {
    problems.add(loc('PushRetryInvalid', input, MAX_PUSH_RETRY));
    return undefined;
  }
  return retries;
}

/**
 * Parses the registryMirror input: one mirror a line, a host with an optional path such as
 * `mirror.gcr.io` or `myregistry.azurecr.io/dockerhub`. A leading `https://` is dropped, because
 * kaniko takes everything before the first `/` as the host (parseRegistryMapping in
 * osscontainertools/kaniko pkg/image/remote/remote.go).
 */
export function parseRegistryMirrors(input: string, problems: Problems): string[] | undefined {
  const start = problems.count;
  const mirrors = new Set<string>();
  for (const entry of lines(input)) {
    const mirror = entry.replace(/^https:\/\//i, '').replace(/\/+$/, '');
    const slash = mirror.indexOf('/');
    const host = slash < 0 ? mirror : mirror.slice(0, slash);
    const path = slash < 0 ? '' : mirror.slice(slash + 1);
    if (isRegistryHost(host) && (path === '' || isRepositoryPath(path))) mirrors.add(`${host.toLowerCase()}${path ? `/${path}` : ''}`);
    else problems.add(loc('RegistryMirrorInvalid', entry));
  }
  return problems.count > start ? undefined : [...mirrors];
}

/** Parses the insecureRegistries input: one registry host a line, with an optional port; a leading `http://` is dropped. */
export function parseInsecureRegistries(input: string, problems: Problems): string[] | undefined {
  const start = problems.count;
  const hosts = new Set<string>();
  for (const entry of lines(input)) {
    const host = entry.replace(/^https?:\/\//i, '').replace(/\/+$/, '');
    if (isRegistryHost(host)) hosts.add(host.toLowerCase());
    else problems.add(loc('InsecureRegistryInvalid', entry));
  }
  return problems.count > start ? undefined : [...hosts];
}

function lines(input: string): string[] {
  return input.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
}
