// Decides what a pod's federated workload identity may do on a fake registry, as Entra ID and
// the registry respond to the two requests of kaniko's acr-env credential helper
// (chrismellard/docker-credential-acr-env, pkg/token/token.go and pkg/registry/registry.go):
// 1. an Entra token for Azure Resource Manager with the federated token as client assertion
//    (go-autorest adal, v1 endpoint), which the fake Entra ID checks against the app's federated
//    identity credentials;
// 2. `POST /oauth2/exchange` at the registry, which needs a registry that accepts Resource
//    Manager tokens and a role that allows pull or push.
import type { WorkloadIdentityDecision, WorkloadIdentityRequest } from '../../local-cluster/kubelet/executor/acr-env-helper';
import type { ContainerRegistry } from '../arm/inventory';
import type { AppRegistration } from '../entra/directory';
import { authenticateClient, JWT_BEARER_ASSERTION_TYPE } from '../entra/client-authentication';
import { entraErrorResponse, entraErrors, EntraError } from '../entra/errors';
import { acrError, grantedActions, noRoleMessage, type RegistryContext } from './exchange-endpoint';
import { ACR_PULL_ACTION, ACR_PUSH_ACTION } from './refresh-tokens';

/** The Entra authority that go-autorest uses for each AZURE_ENVIRONMENT name (azure/environments.go). */
const AUTHORITIES: Record<string, string> = {
  '': 'https://login.microsoftonline.com/',
  AZUREPUBLICCLOUD: 'https://login.microsoftonline.com/',
  AZURECHINACLOUD: 'https://login.chinacloudapi.cn/',
  AZUREUSGOVERNMENTCLOUD: 'https://login.microsoftonline.us/',
  AZUREGERMANCLOUD: 'https://login.microsoftonline.de/',
};

export function decideWorkloadIdentity(
  context: RegistryContext, registry: ContainerRegistry, request: WorkloadIdentityRequest,
): WorkloadIdentityDecision {
  const { directory } = context;
  const tenant = directory.tenant(request.tenantId);
  const app = tenant && directory.app(tenant.id, request.clientId);
  const rejection = !tenant ? entraErrors.tenantNotFound(request.tenantId) : checkFederatedToken(context, tenant.displayName, app, request);
  if (rejection || !tenant || !app) {
    const response = entraErrorResponse(rejection!, directory.now(), undefined);
    const endpoint = `${AUTHORITIES[request.environment.toUpperCase()] ?? AUTHORITIES['']}${request.tenantId}/oauth2/token?api-version=1.0`;
    const message = `adal: Refresh request failed. Status Code = '${response.status}'. Response body: ${JSON.stringify(response.json)} Endpoint ${endpoint}`;
    return { failure: 'token', message };
  }

  // The helper requests a Resource Manager token, which the registry accepts only while its
  // "authentication-as-arm" policy is on.
  const subscription = context.inventory.subscription(registry.subscriptionId);
  if (!registry.armAudienceTokens) {
    return exchangeFailure(`The access token audience 'https://management.azure.com/' is not accepted by this registry, whose authentication-as-arm policy is disabled.`);
  }
  if (subscription?.tenantId !== tenant.id) {
    return exchangeFailure(`The access token is from tenant '${tenant.id}', but the registry belongs to tenant '${subscription?.tenantId}'.`);
  }
  const actions = grantedActions(context, app.objectId, registry);
  if (actions.length === 0) return exchangeFailure(noRoleMessage(app.objectId, registry));
  const granted: ('pull' | 'push')[] = [];
  if (actions.includes(ACR_PULL_ACTION)) granted.push('pull');
  if (actions.includes(ACR_PUSH_ACTION)) granted.push('push');
  return { actions: granted };
}

/** Returns Entra's error for the client assertion, or undefined when Entra issues the token. */
function checkFederatedToken(
  context: RegistryContext, tenantName: string, app: AppRegistration | undefined, request: WorkloadIdentityRequest,
): EntraError | undefined {
  if (!app) return entraErrors.appNotFound(request.clientId, tenantName);
  if (app.disabled) return entraErrors.appDisabled(app.appId, app.displayName);
  const form = new URLSearchParams({ client_assertion: request.federatedToken, client_assertion_type: JWT_BEARER_ASSERTION_TYPE });
  const result = authenticateClient(context.directory, app, form, undefined);
  return result instanceof EntraError ? result : undefined;
}

/**
 * The exchange's 401 as the helper reports it through the Azure SDK's autorest client.
 * NOTE: the wording around the response body is an estimate of autorest's error text.
 */
function exchangeFailure(message: string): WorkloadIdentityDecision {
  const body = JSON.stringify(acrError(401, 'UNAUTHORIZED', message).json);
  return {
    failure: 'exchange',
    message: `containerregistry.RefreshTokensClient#GetFromExchange: Failure responding to request: StatusCode=401 -- Original Error: autorest/azure: Service returned an error. Status=401 Details=${body}`,
  };
}
