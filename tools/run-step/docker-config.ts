// Reads registry credentials from a Docker config.json, the file `docker login` writes
// (docker/cli, cli/config/configfile/file.go).
import { readFileSync } from 'node:fs';
import { StepInputError } from './errors';

/** The `auths` key under which `docker login` stores Docker Hub credentials. */
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
/** The user name of an ACR refresh token, which `az acr login` stores as `identitytoken`. */
const TOKEN_USER = '00000000-0000-0000-0000-000000000000';

export interface RegistryLogin {
  /** The registry host, with `docker.io` for Docker Hub. */
  host: string;
  username: string;
  password: string;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

interface DockerConfig {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/**
 * Returns the login for `registry` from the config file, or for its only registry when
 * `registry` is unset.
 * @throws StepInputError when the file cannot be read, has no such entry, or keeps the
 *   credentials in a credential helper, which this command does not run.
 */
export function readRegistryLogin(file: string, registry: string | undefined, connection: string): RegistryLogin {
  const config = readConfig(file);
  const entries = Object.entries(config.auths ?? {}).map(([key, entry]) => ({ host: normalizeHost(key), entry }));
  const host = registry === undefined ? undefined : normalizeHost(registry);
  const helper = Object.entries(config.credHelpers ?? {}).find(([key]) => normalizeHost(key) === host)?.[1];
  if (host && helper) throw helperError(file, connection, host, helper);

  const candidates = host ? entries.filter((candidate) => candidate.host === host) : entries;
  const login = candidates.length === 1 ? credentials(candidates[0].entry) : undefined;
  if (login) return { host: candidates[0].host, ...login };
  // With a credsStore, `docker login` writes an empty `auths` entry and keeps the credentials in the helper.
  if (config.credsStore && candidates.length <= 1) throw helperError(file, connection, host ?? candidates[0]?.host ?? 'the registry', config.credsStore);
  if (candidates.length === 1) {
    throw new StepInputError(`Connection ${connection}: the entry for ${candidates[0].host} in ${file} has no user name and password. `
      + `Log in again with \`docker login ${candidates[0].host}\`.`);
  }
  const found = entries.map((candidate) => candidate.host).join(', ') || 'none';
  const problem = host ? `has no credentials for ${host}` : `has credentials for ${entries.length} registries`;
  throw new StepInputError(`Connection ${connection}: the Docker config ${file} ${problem} (found: ${found}). `
    + 'Log in with `docker login`, or set `registry:` for the connection in the connections file.');
}

function readConfig(file: string): DockerConfig {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DockerConfig;
  } catch (error) {
    throw new StepInputError(`Cannot read the Docker config ${file}: ${(error as Error).message}`, { cause: error });
  }
}

function credentials(entry: AuthEntry): { username: string; password: string } | undefined {
  if (entry.identitytoken) return { username: TOKEN_USER, password: entry.identitytoken };
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  if (!entry.auth) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function helperError(file: string, connection: string, host: string, helper: string): StepInputError {
  return new StepInputError(`Connection ${connection}: ${file} keeps the credentials for ${host} in the credential helper docker-credential-${helper}, `
    + 'which this command does not run. Give the connection `username:` and `passwordVariable:` in the connections file, '
    + 'or point --docker-config at a config.json that contains the credentials.');
}

/** Returns a registry address as a host, such as `myregistry.azurecr.io` for `https://myregistry.azurecr.io/v2/`. */
export function normalizeHost(address: string): string {
  if (address === DOCKER_HUB_KEY) return 'docker.io';
  const host = address.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
  return DOCKER_HUB_HOSTS.has(host) ? 'docker.io' : host;
}

/** Returns the address a Docker Registry connection gives for `host`: Docker Hub's `auths` key, else `https://host`. */
export function registryAddress(host: string): string {
  return host === 'docker.io' ? DOCKER_HUB_KEY : `https://${host}`;
}
