// kaniko's push-permission check (osscontainertools/kaniko pkg/executor/push.go
// CheckPushPermissions) against emulated registries. Credentials come from the Docker config
// file, looked up as go-containerregistry's default keychain and the Docker CLI config file
// do: by repository name, then by registry host (`https://index.docker.io/v1/` for Docker
// Hub), first through `credHelpers`, then `credsStore`, then `auths`.
import { posix } from 'node:path';
import type { KanikoOptions } from './args';
import { runAcrEnvHelper, type AcrHelperResult, type RegistryAction, type WorkloadIdentityAccount } from './acr-env-helper';
import type { ContainerFiles } from './container-files';
import { DOCKER_HUB_REGISTRY, parseReference, parseTag, repositoryName, type ImageReference } from './reference';

/**
 * The account of an emulated registry: fixed credentials, a check such as an ACR refresh token
 * verifier, or an ACR that decides what federated workload identities may do.
 */
export type RegistryCredential =
  | { username: string; password: string }
  | { verify(username: string, password: string): boolean }
  | WorkloadIdentityAccount;

export interface PushCheckRequest {
  options: KanikoOptions;
  env: Readonly<Record<string, string>>;
  files: ContainerFiles;
  /** Accounts of emulated registries, keyed by host. Credentials for these hosts must match. */
  registryCredentials?: Readonly<Record<string, RegistryCredential>>;
  /** Returns the error of a connection to the registry that fails before any credential is sent, such as a TLS mismatch. */
  transportProblem?: (registry: string) => string | undefined;
}

/** The input of a credential lookup: the pod's environment, its files and the emulated registries. */
type CredentialLookup = Omit<PushCheckRequest, 'options'>;

type Authentication =
  | { kind: 'anonymous' }
  | { kind: 'basic'; username: string; password: string }
  /** Credentials from a helper; `actions` lists what the registry granted, when the emulation models the grant. */
  | { kind: 'helper'; helper: string; actions?: RegistryAction[] };

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';
/** Credential helpers that kaniko's images ship as docker-credential-NAME binaries. */
const SHIPPED_HELPERS = ['acr-env', 'gcr', 'ecr-login'];
const ACR_HOST = /\.azurecr\.(io|cn|de|us)$/;

/** Returns the path of the Docker config file that kaniko reads. */
export function dockerConfigPath(env: Readonly<Record<string, string>>): string {
  return posix.join(env.DOCKER_CONFIG || '/kaniko/.docker/', 'config.json');
}

/** Returns the destinations that kaniko checks before it builds. */
export function pushCheckTargets(options: KanikoOptions): string[] {
  if (options.skipPushPermissionCheck) return [];
  if (options.noPush) {
    if (options.noPushCache || options.cacheRepo === '' || options.cacheRepo.startsWith('oci:')) return [];
    return [options.cacheRepo];
  }
  return options.destinations;
}

/** Throws with kaniko's inner message when a target cannot be pushed to. */
export function checkPushPermissions(request: PushCheckRequest): void {
  const checked = new Set<string>();
  for (const target of pushCheckTargets(request.options)) {
    let reference: ImageReference;
    try {
      reference = parseTag(target);
    } catch (error) {
      throw new Error(`getting tag for destination: ${(error as Error).message}`, { cause: error });
    }
    if (checked.has(repositoryName(reference))) continue;
    const transport = request.transportProblem?.(reference.registry);
    if (transport) throw new Error(`checking push permission for "${target}": ${transport}`);
    const authentication = resolveAuthentication(reference, request);
    const problem = pushProblem(reference, authentication, request.registryCredentials);
    if (problem) throw new Error(`checking push permission for "${target}": ${problem}`);
    checked.add(repositoryName(reference));
  }
}

/**
 * Returns the registry's error when kaniko could not pull `image`, else undefined. Only the
 * emulated registries (those in `registryCredentials`) require credentials; any other registry
 * serves its images to anonymous pulls, as public registries do.
 */
export function pullProblem(image: string, request: CredentialLookup): string | undefined {
  const reference = parseReference(image);
  const transport = request.transportProblem?.(reference.registry);
  if (transport) return transport;
  const expected = expectedCredential(reference.registry, request.registryCredentials);
  if (!expected) return undefined;
  let authentication: Authentication;
  try {
    authentication = resolveAuthentication(reference, request);
  } catch (error) {
    // A failing credential helper fails the pull; the `resolving pushAuth` prefix belongs to the push check.
    return (error as Error).message.replace(/^resolving pushAuth: /, '');
  }
  if (authentication.kind === 'helper' && (!authentication.actions || authentication.actions.includes('pull'))) return undefined;
  if (authentication.kind === 'basic' && ('authorizeWorkloadIdentity' in expected || matchesCredential(authentication, expected))) {
    return undefined;
  }
  // NOTE: the wording follows a typical registry's token endpoint response. Each registry words it differently.
  const { registry, repository } = reference;
  const scope = encodeURIComponent(`repository:${repository}:pull`);
  const tokenUrl = registry === DOCKER_HUB_REGISTRY
    ? `https://auth.docker.io/token?scope=${scope}&service=registry.docker.io`
    : `${schemeOf(registry)}://${registry}/oauth2/token?scope=${scope}&service=${registry}`;
  return `GET ${tokenUrl}: UNAUTHORIZED: authentication required`;
}

/**
 * Returns the registry's error when it would reject an upload to `target` (a tag reference),
 * else undefined: the error that DoPush gets from the registry, without a check before.
 */
export function pushRejection(target: string, request: CredentialLookup): string | undefined {
  const reference = parseTag(target);
  const transport = request.transportProblem?.(reference.registry);
  if (transport) return transport;
  try {
    return pushProblem(reference, resolveAuthentication(reference, request), request.registryCredentials);
  } catch (error) {
    return (error as Error).message;
  }
}

function expectedCredential(
  registry: string, known: Readonly<Record<string, RegistryCredential>> | undefined,
): RegistryCredential | undefined {
  return known?.[registry] ?? (registry === DOCKER_HUB_REGISTRY ? known?.['docker.io'] : undefined);
}

function matchesCredential(
  authentication: { username: string; password: string },
  expected: Exclude<RegistryCredential, WorkloadIdentityAccount>,
): boolean {
  return 'verify' in expected
    ? expected.verify(authentication.username, authentication.password)
    : authentication.username === expected.username && authentication.password === expected.password;
}

function schemeOf(registry: string): string {
  return /^(localhost|127\.0\.0\.1)(:\d+)?$/.test(registry) ? 'http' : 'https';
}

function resolveAuthentication(reference: ImageReference, request: CredentialLookup): Authentication {
  const path = dockerConfigPath(request.env);
  const data = request.files.readFile(path);
  const config = data ? parseDockerConfig(data, path) : {};
  for (let key of [repositoryName(reference), reference.registry]) {
    if (key === DOCKER_HUB_REGISTRY) key = DOCKER_HUB_AUTH_KEY;
    const found = lookUpKey(config, key, request);
    if (found.kind !== 'anonymous') return found;
  }
  return acrKeychain(reference.registry, request);
}

/**
 * kaniko's own `acr` credential provider runs the same helper code in process for ACR hosts.
 * go-containerregistry's keychain wrapper (authn.NewKeychainFromHelper) turns a helper error
 * into anonymous access.
 */
function acrKeychain(registry: string, request: CredentialLookup): Authentication {
  if (!ACR_HOST.test(registry)) return { kind: 'anonymous' };
  try {
    return fromAcrHelper('acr', runAcrEnvHelper(registry, request.env, request.files, request.registryCredentials?.[registry]));
  } catch {
    return { kind: 'anonymous' };
  }
}

function fromAcrHelper(helper: string, result: AcrHelperResult): Authentication {
  return result.kind === 'authenticated' ? { kind: 'helper', helper, actions: result.actions } : { kind: 'anonymous' };
}

function parseDockerConfig(data: Buffer, path: string): DockerConfig {
  const text = data.toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as DockerConfig;
  } catch (error) {
    // NOTE: the wording after the path is Node's JSON error, not Go's encoding/json one.
    throw new Error(`resolving pushAuth: parsing config file (${path}): ${(error as Error).message}`, { cause: error });
  }
}

function lookUpKey(config: DockerConfig, key: string, request: CredentialLookup): Authentication {
  const helper = config.credHelpers?.[key] ?? config.credsStore;
  if (helper) return runHelper(helper, key, request);
  const auths = config.auths ?? {};
  const entry = auths[key] ?? Object.entries(auths).find(([address]) => hostOf(address) === key)?.[1];
  if (!entry) return { kind: 'anonymous' };
  if (entry.auth) return decodeAuth(entry.auth);
  if (entry.username) return { kind: 'basic', username: entry.username, password: entry.password ?? '' };
  return { kind: 'anonymous' };
}

/** Reduces a config key written as a URL (`https://host/v1/`) to its host, as the Docker CLI does. */
function hostOf(address: string): string {
  const withoutScheme = address.includes('://') ? address.slice(address.indexOf('://') + 3) : address;
  return withoutScheme.split('/')[0];
}

function decodeAuth(auth: string): Authentication {
  const valid = /^[A-Za-z0-9+/]*={0,2}$/.test(auth) && auth.length % 4 === 0;
  const decoded = valid ? Buffer.from(auth, 'base64').toString('utf8') : undefined;
  const colon = decoded?.indexOf(':') ?? -1;
  if (decoded === undefined || colon <= 0) {
    throw new Error('resolving pushAuth: invalid auth configuration file');
  }
  return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1).replace(/\0+$/, '') };
}

/**
 * Emulates a credential helper, which docker's credential client runs with the config key as
 * the server address. Only the helpers that kaniko's images ship exist. The ACR helper gets
 * from the registry's account what a federated workload identity may do (see acr-env-helper.ts).
 * NOTE: the gcr and ecr-login helpers find no credentials here, and ACR helper credentials
 * from a client secret are never compared with `registryCredentials`.
 */
function runHelper(helper: string, serverUrl: string, request: CredentialLookup): Authentication {
  if (!SHIPPED_HELPERS.includes(helper)) {
    throw helperError(`exec: "docker-credential-${helper}": executable file not found in $PATH`, '');
  }
  if (helper !== 'acr-env') return { kind: 'anonymous' };
  try {
    return fromAcrHelper(helper, runAcrEnvHelper(serverUrl, request.env, request.files, request.registryCredentials?.[hostOf(serverUrl)]));
  } catch (error) {
    throw helperError('exit status 1', (error as Error).message);
  }
}

/** Builds the error that docker's credential client returns (docker/docker-credential-helpers client.Get). */
function helperError(error: string, output: string): Error {
  return new Error(`resolving pushAuth: error getting credentials - err: ${error}, out: \`${output}\``);
}

/** Returns the registry's error when the push would be rejected, else undefined. */
function pushProblem(
  reference: ImageReference,
  authentication: Authentication,
  known: Readonly<Record<string, RegistryCredential>> | undefined,
): string | undefined {
  const { registry, repository } = reference;
  const scheme = schemeOf(registry);
  if (authentication.kind === 'helper' && authentication.actions && !authentication.actions.includes('push')) {
    // ACR issues an access token with only the granted actions, so the upload is refused.
    // NOTE: the message is ACR's documented 401 text; the scope list follows go-containerregistry.
    const scopes = ['pull', 'push'].map((action) => `map[Action:${action} Class: Name:${repository} Type:repository]`);
    const message = 'authentication required, visit https://aka.ms/acr/authorization for more information.';
    return `POST ${scheme}://${registry}/v2/${repository}/blobs/uploads/: UNAUTHORIZED: ${message}; [${scopes.join(' ')}]`;
  }
  if (authentication.kind === 'anonymous') {
    // NOTE: the wording follows a typical registry's response. Each registry words it differently.
    const scopes = ['pull', 'push'].map((action) => `map[Action:${action} Class: Name:${repository} Type:repository]`);
    return `POST ${scheme}://${registry}/v2/${repository}/blobs/uploads/: UNAUTHORIZED: authentication required; [${scopes.join(' ')}]`;
  }
  const expected = expectedCredential(registry, known);
  if (authentication.kind === 'basic' && expected && !('authorizeWorkloadIdentity' in expected)) {
    if (!matchesCredential(authentication, expected)) {
      const scope = encodeURIComponent(`repository:${repository}:pull,push`);
      const tokenUrl = registry === DOCKER_HUB_REGISTRY
        ? `https://auth.docker.io/token?scope=${scope}&service=registry.docker.io`
        : `${scheme}://${registry}/oauth2/token?scope=${scope}&service=${registry}`;
      return `GET ${tokenUrl}: UNAUTHORIZED: authentication required`;
    }
  }
  return undefined;
}
