// The registry credentials of the run: from the connection, or an ACR refresh token got through
// workload identity federation or the agent's managed identity, so that no long-lived secret exists.
import { AzurePipelinesCredential, type TokenCredential } from '@azure/identity';
import * as tl from 'azure-pipelines-task-lib/task';
import { ACR_TOKEN_SCOPE, exchangeForRefreshToken } from '../azure/acr';
import { createManagedIdentityCredential, getMaskedToken, tokenTenant } from '../azure/credential';
import { azureErrorSummary, isExpiredTokenError, TokenRequestError } from '../azure/errors';
import { loc } from '../messages';
import type { AcrTokenExchange, RegistrySettings } from '../settings/types';

export async function resolveRegistry(registry: RegistrySettings, signal: AbortSignal): Promise<RegistrySettings> {
  const exchange = registry.tokenExchange;
  if (!exchange) return registry;
  const managed = exchange.kind === 'managedIdentity';
  console.log(loc(managed ? 'GettingRegistryTokenManagedIdentity' : 'GettingRegistryToken', registry.host));
  try {
    const entraToken = await getMaskedToken(exchangeCredential(exchange), ACR_TOKEN_SCOPE, signal);
    const tenantId = exchange.tenantId || tokenTenant(entraToken);
    const refreshToken = await exchangeForRefreshToken(registry.host, tenantId, entraToken, signal);
    tl.setSecret(refreshToken);
    return { ...registry, password: refreshToken };
  } catch (error) {
    signal.throwIfAborted();
    throw new Error(registryFailureMessage(registry.host, exchange, error), { cause: error });
  }
}

function exchangeCredential(exchange: AcrTokenExchange): TokenCredential {
  // ACR connections with a managed identity name no user-assigned identity, so the machine's
  // default identity signs in, as in Microsoft's Docker tasks.
  if (exchange.kind === 'managedIdentity') return createManagedIdentityCredential('');
  return new AzurePipelinesCredential(exchange.tenantId, exchange.clientId, exchange.connectionId,
    exchange.accessToken, { authorityHost: exchange.authorityHost, disableInstanceDiscovery: true });
}

/** Returns the step's error for a failed token exchange, with a hint that fits its cause. */
function registryFailureMessage(host: string, exchange: AcrTokenExchange, error: unknown): string {
  const reason = azureErrorSummary(error);
  if (isExpiredTokenError(error)) return loc('RegistryTokenExpired', host, exchange.connectionId, reason);
  if (exchange.kind !== 'managedIdentity') return loc('RegistryTokenFailed', host, exchange.connectionId, reason);
  if (error instanceof TokenRequestError) return loc('RegistryManagedIdentityUnavailable', exchange.connectionId, host, reason);
  return loc('RegistryTokenFailedManagedIdentity', host, exchange.connectionId, reason);
}
