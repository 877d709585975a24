// Entra ID credentials of an Azure Resource Manager service connection.
import { AzurePipelinesCredential, ClientSecretCredential, type TokenCredential } from '@azure/identity';
import * as tl from 'azure-pipelines-task-lib/task';
import type { ArmConnection } from '../settings/types';

/** Returns a credential for the connection's service principal, by secret or by workload identity federation. */
export function createArmCredential(arm: ArmConnection): TokenCredential {
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

/** Gets a token for `scope` and masks it. */
export async function getMaskedToken(credential: TokenCredential, scope: string, signal: AbortSignal): Promise<string> {
  const token = await credential.getToken(scope, { abortSignal: signal });
  if (!token?.token) throw new Error(`Entra ID returned no token for ${scope}`);
  tl.setSecret(token.token);
  return token.token;
}

/**
 * Returns the first line of an Azure error for the step's log. MSAL's messages wrap the
 * AADSTS text in timestamps, trace and correlation ids, which are of no use to the pipeline author.
 */
export function azureErrorSummary(error: unknown): string {
  return (error instanceof Error ? error.message : String(error))
    .split('\n')[0]
    .replace(/Error\(s\):.*?Description: /, '')
    .replace(/ Trace ID:.*$/, '')
    .replace(/\.+$/, '');
}
