// Entra ID credentials of an Azure Resource Manager service connection.
import {
  AzurePipelinesCredential, ClientSecretCredential, ManagedIdentityCredential, type TokenCredential,
} from '@azure/identity';
import * as tl from 'azure-pipelines-task-lib/task';
import type { ArmConnection } from '../settings/types';
import { withDeadline } from '../timeout';
import { TokenRequestError } from './errors';

/**
 * Time limit of one token request. IMDS may return 410 for up to 70 s while it updates
 * (how-to-use-vm-token.md in MicrosoftDocs/entra-docs), and @azure/identity retries until then,
 * so the limit lets that pass and still ends the wait for an endpoint that never responds.
 */
export const TOKEN_TIMEOUT_MS = 90_000;

/**
 * Returns a credential for the connection: its service principal, by secret or by workload
 * identity federation, or the managed identity of the machine the agent runs on.
 */
export function createArmCredential(arm: ArmConnection): TokenCredential {
  if (arm.auth.kind === 'managedIdentity') return createManagedIdentityCredential(arm.clientId);
  // The authority comes from the service connection, so instance discovery is left out. It only
  // checks that the authority is a known Microsoft cloud, and leaving it out also lets sovereign clouds work.
  const options = { authorityHost: arm.authorityHost, disableInstanceDiscovery: true };
  if (arm.auth.kind === 'secret') {
    return new ClientSecretCredential(arm.tenantId, arm.clientId, arm.auth.clientSecret, options);
  }
  // AzurePipelinesCredential requests the pipeline's OIDC token for the connection from
  // System.OidcRequestUri (its SYSTEM_OIDCREQUESTURI environment variable) with the job's
  // access token, and exchanges it for an Entra token.
  return new AzurePipelinesCredential(arm.tenantId, arm.clientId, arm.connectionId, arm.auth.accessToken, options);
}

/**
 * Returns the agent machine's managed identity: the user-assigned one with `clientId`, or the
 * system-assigned one when `clientId` is empty. ManagedIdentityCredential (@azure/identity
 * 4.13.1 through MSAL Node) takes the token endpoint from the process environment: App Service
 * and Container Apps set IDENTITY_ENDPOINT, and VMs and scale sets use IMDS at 169.254.169.254,
 * or at AZURE_POD_IDENTITY_AUTHORITY_HOST when that variable is set.
 * NOTE: the tests run only the IMDS path, against a fake. The IDENTITY_ENDPOINT path is untested here.
 */
export function createManagedIdentityCredential(clientId: string): TokenCredential {
  return clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
}

/**
 * Gets a token for `scope` within `timeoutMs` and masks it. Throws TokenRequestError when the
 * credential fails or times out.
 */
export async function getMaskedToken(
  credential: TokenCredential, scope: string, signal: AbortSignal, timeoutMs = TOKEN_TIMEOUT_MS,
): Promise<string> {
  let token: string | undefined;
  try {
    const accessToken = await withDeadline(
      (deadline) => credential.getToken(scope, { abortSignal: deadline }), timeoutMs, `the token request for ${scope}`, signal);
    token = accessToken?.token;
  } catch (error) {
    signal.throwIfAborted();
    throw new TokenRequestError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  if (!token) throw new TokenRequestError(`the credential returned no token for ${scope}`);
  tl.setSecret(token);
  return token;
}

/** Returns the `tid` claim of an Entra access token, or an empty string when it has none. */
export function tokenTenant(token: string): string {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { tid?: unknown };
    return typeof claims.tid === 'string' ? claims.tid : '';
  } catch {
    return '';
  }
}
