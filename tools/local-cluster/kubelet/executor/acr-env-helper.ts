// Emulates docker-credential-acr-env, the ACR credential helper in kaniko's images
// (chrismellard/docker-credential-acr-env at 82a0ddb, the version that kaniko's go.mod pins).
// Its `get` command (pkg/credhelper/helper.go, pkg/token/token.go):
// 1. rejects a server that is not `mcr.microsoft.com` and does not contain `.azurecr.io`,
//    `.azurecr.cn`, `.azurecr.de` or `.azurecr.us` (the regular expression is not anchored);
// 2. reads go-autorest's environment settings, where AZURE_ENVIRONMENT picks the cloud (the
//    public one when unset), and gets an Entra token for the cloud's Resource Manager. It uses a
//    client secret, else a federated token with AZURE_CLIENT_ID and AZURE_TENANT_ID, else
//    managed identity. The federated token is AZURE_FEDERATED_TOKEN, else the file that
//    AZURE_FEDERATED_TOKEN_FILE names;
// 3. exchanges it at the registry's /oauth2/exchange for a refresh token, returned with user `<token>`.
// AZURE_AUTHORITY_HOST, which the workload identity webhook sets, is not read.
// An error is printed to stdout and ends the helper with exit status 1.
import type { ContainerFiles } from './container-files';

/** The request that a registry's account receives from a federated workload identity. */
export interface WorkloadIdentityRequest {
  clientId: string;
  tenantId: string;
  /** The federated token, such as a projected service account token. */
  federatedToken: string;
  /** AZURE_ENVIRONMENT as the helper read it; empty for the public cloud. */
  environment: string;
}

export type RegistryAction = 'pull' | 'push';

/**
 * The outcome of the helper's two token requests: the registry actions that the refresh
 * token allows, or the failure of the Entra token request (`token`) or of the registry's
 * exchange (`exchange`) with the service's error text.
 */
export type WorkloadIdentityDecision =
  | { actions: RegistryAction[] }
  | { failure: 'token' | 'exchange'; message: string };

/** A registry account that decides what federated workload identities may do. */
export interface WorkloadIdentityAccount {
  authorizeWorkloadIdentity(request: WorkloadIdentityRequest): WorkloadIdentityDecision;
}

export type AcrHelperResult =
  | { kind: 'authenticated'; actions?: RegistryAction[] }
  /** No credential source in the environment: the helper would try managed identity. */
  | { kind: 'no-identity' };

const ACR_HOST_PATTERN = /\.azurecr\.io|\.azurecr\.cn|\.azurecr\.de|\.azurecr\.us/;
const MCR_HOST = 'mcr.microsoft.com';
/** Cloud names that go-autorest's EnvironmentFromName accepts, upper case. */
const CLOUD_NAMES = new Set(['AZUREPUBLICCLOUD', 'AZURECHINACLOUD', 'AZUREUSGOVERNMENTCLOUD', 'AZUREGERMANCLOUD']);

/** Runs the helper for `serverUrl`; throws with the text the helper prints when it fails. */
export function runAcrEnvHelper(
  serverUrl: string, env: Readonly<Record<string, string>>, files: ContainerFiles, account: unknown,
): AcrHelperResult {
  if (!isAcrRegistry(serverUrl)) throw new Error('serverURL does not refer to Azure Container Registry');
  const environment = env.AZURE_ENVIRONMENT ?? '';
  if (environment !== '' && !CLOUD_NAMES.has(environment.toUpperCase())) {
    throw new Error(`failed to acquire sp token failed to get auth settings from environment - autorest/azure: There is no cloud environment matching the name "${environment.toUpperCase()}"`);
  }
  if (env.AZURE_CLIENT_SECRET) return { kind: 'authenticated' };

  const federatedToken = readFederatedToken(env, files);
  // NOTE: without a federated token the helper falls back to managed identity, which the
  // emulation does not model; kaniko then finds no credentials.
  if (federatedToken === undefined) return { kind: 'no-identity' };
  // The helper checks that both variables exist, and names the client id for either.
  if (!('AZURE_CLIENT_ID' in env) || !('AZURE_TENANT_ID' in env)) {
    throw new Error('failed to acquire sp token failed to initialise sp token config failed to get client id from environment');
  }
  if (!isWorkloadIdentityAccount(account)) return { kind: 'authenticated' };
  const decision = account.authorizeWorkloadIdentity({
    clientId: env.AZURE_CLIENT_ID, tenantId: env.AZURE_TENANT_ID, federatedToken, environment,
  });
  if ('actions' in decision) return { kind: 'authenticated', actions: decision.actions };
  const stage = decision.failure === 'token' ? 'error refreshing sp token' : 'failed to get refresh token for container registry';
  throw new Error(`failed to acquire refresh token ${stage} - ${decision.message}`);
}

/** Tells whether the helper serves the host, with its unanchored pattern. */
export function isAcrRegistry(serverUrl: string): boolean {
  let hostname: string;
  try {
    hostname = new URL(`https://${serverUrl}`).hostname;
  } catch {
    return false;
  }
  return hostname === MCR_HOST || ACR_HOST_PATTERN.test(hostname);
}

function readFederatedToken(env: Readonly<Record<string, string>>, files: ContainerFiles): string | undefined {
  if ('AZURE_FEDERATED_TOKEN' in env) return env.AZURE_FEDERATED_TOKEN;
  if (!('AZURE_FEDERATED_TOKEN_FILE' in env)) return undefined;
  return files.readFile(env.AZURE_FEDERATED_TOKEN_FILE)?.toString('utf8');
}

function isWorkloadIdentityAccount(account: unknown): account is WorkloadIdentityAccount {
  return typeof account === 'object' && account !== null && 'authorizeWorkloadIdentity' in account;
}
