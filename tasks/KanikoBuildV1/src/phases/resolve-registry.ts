// The registry credentials of the run: from the connection, or an ACR refresh token got through
// workload identity federation, so that no long-lived secret exists.
import { AzurePipelinesCredential } from '@azure/identity';
import * as tl from 'azure-pipelines-task-lib/task';
import { ACR_TOKEN_SCOPE, exchangeForRefreshToken } from '../azure/acr';
import { azureErrorSummary, getMaskedToken } from '../azure/credential';
import { loc } from '../messages';
import type { RegistrySettings } from '../settings/types';

export async function resolveRegistry(registry: RegistrySettings, signal: AbortSignal): Promise<RegistrySettings> {
  const exchange = registry.tokenExchange;
  if (!exchange) return registry;
  console.log(loc('GettingRegistryToken', registry.host));
  try {
    const credential = new AzurePipelinesCredential(exchange.tenantId, exchange.clientId, exchange.connectionId,
      exchange.accessToken, { authorityHost: exchange.authorityHost, disableInstanceDiscovery: true });
    const entraToken = await getMaskedToken(credential, ACR_TOKEN_SCOPE, signal);
    const refreshToken = await exchangeForRefreshToken(registry.host, exchange.tenantId, entraToken, signal);
    tl.setSecret(refreshToken);
    return { ...registry, password: refreshToken };
  } catch (error) {
    signal.throwIfAborted();
    const reason = azureErrorSummary(error);
    throw new Error(loc('RegistryTokenFailed', registry.host, exchange.connectionId, reason), { cause: error });
  }
}
