// The authentication routes of one fake container registry (Azure/acr docs/AAD-OAuth.md):
//   GET  /v2/               401 with the `WWW-Authenticate: Bearer realm=...,service=...` challenge
//   POST /oauth2/exchange   form `grant_type=access_token`, `service`, `tenant` (optional),
//                           `access_token` (an Entra access token) -> `{ "refresh_token": JWT }`
// The registry accepts Entra tokens for https://containerregistry.azure.net and, unless its
// "authentication-as-arm" policy is off, for Azure Resource Manager. It returns 401 when the
// caller's roles allow no registry action: an identity needs a role such as AcrPull or AcrPush
// to authenticate to the registry (External Secrets Operator, "Azure Container Registry" generator).
import type { EntraDirectory } from '../entra/directory';
import type { ResourceInventory, ContainerRegistry } from '../arm/inventory';
import type { RoleAssignments } from '../arm/rbac';
import { ARM_AUDIENCES } from '../arm/errors';
import type { FakeRequest, FakeResponse } from '../shared/https-server';
import { numericClaim, stringClaim, type JwtSigningKey } from '../shared/jwt';
import { ACR_DELETE_ACTION, ACR_PULL_ACTION, ACR_PUSH_ACTION, issueRefreshToken } from './refresh-tokens';

export const ACR_AUDIENCES = ['https://containerregistry.azure.net', 'https://containerregistry.azure.net/'];

export interface RegistryContext {
  directory: EntraDirectory;
  inventory: ResourceInventory;
  roles: RoleAssignments;
  signingKey: JwtSigningKey;
  refreshTokenLifetimeSeconds: number;
}

export function handleRegistryRequest(context: RegistryContext, registry: ContainerRegistry, request: FakeRequest): FakeResponse {
  if (request.url.pathname === '/v2/' || request.url.pathname === '/v2') return challenge(registry);
  if (request.url.pathname !== '/oauth2/exchange') return { status: 404, text: `The fake registry serves no ${request.url.pathname}.` };
  if (request.method !== 'POST') return { status: 405, headers: { Allow: 'POST' }, text: 'Method not allowed.' };
  return exchange(context, registry, request.form ?? new URLSearchParams());
}

function challenge(registry: ContainerRegistry): FakeResponse {
  return {
    status: 401,
    headers: { 'WWW-Authenticate': `Bearer realm="https://${registry.loginServer}/oauth2/token",service="${registry.loginServer}"` },
    json: { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required, visit https://aka.ms/acr/authorization for more information.', detail: null }] },
  };
}

function exchange(context: RegistryContext, registry: ContainerRegistry, form: URLSearchParams): FakeResponse {
  const grantType = form.get('grant_type');
  if (grantType !== 'access_token') {
    // The deprecated grants `access_token_refresh_token` and `refresh_token` are not implemented.
    return acrError(400, 'UNSUPPORTED', `grant_type must be 'access_token'; got '${grantType ?? ''}'.`);
  }
  const service = form.get('service');
  if (!service) return acrError(400, 'BAD_REQUEST', "The form field 'service' is required.");
  if (service.toLowerCase() !== registry.loginServer.toLowerCase()) {
    return acrError(400, 'BAD_REQUEST', `The service '${service}' is not this registry (${registry.loginServer}).`);
  }
  const accessToken = form.get('access_token');
  if (!accessToken) return acrError(400, 'BAD_REQUEST', "The form field 'access_token' is required.");

  const caller = validateAccessToken(context, registry, accessToken, form.get('tenant'));
  if ('error' in caller) return caller.error;
  const actions = grantedActions(context, caller.objectId, registry);
  if (actions.length === 0) return acrError(401, 'UNAUTHORIZED', noRoleMessage(caller.objectId, registry));
  const grant = { loginServer: registry.loginServer, tenantId: caller.tenantId, objectId: caller.objectId, actions };
  return { status: 200, json: { refresh_token: issueRefreshToken(context.signingKey, grant, context.directory.now(), context.refreshTokenLifetimeSeconds) } };
}

/** Returns the registry actions that the caller's role assignments allow on the registry. */
export function grantedActions(context: RegistryContext, objectId: string, registry: ContainerRegistry): string[] {
  return [ACR_PULL_ACTION, ACR_PUSH_ACTION, ACR_DELETE_ACTION].filter((action) => context.roles.allows(objectId, action, registry.id));
}

export function noRoleMessage(objectId: string, registry: ContainerRegistry): string {
  return `The identity ${objectId} has no role on registry ${registry.name} that allows pull or push.`;
}

function validateAccessToken(
  context: RegistryContext,
  registry: ContainerRegistry,
  token: string,
  tenantField: string | null,
): { objectId: string; tenantId: string } | { error: FakeResponse } {
  let claims: Record<string, unknown>;
  try {
    claims = context.directory.verifyToken(token);
  } catch {
    return { error: acrError(401, 'UNAUTHORIZED', 'The access token is not a valid Microsoft Entra access token.') };
  }
  const timeError = checkTimeRange(claims, context.directory.now());
  if (timeError) return { error: timeError };
  const audience = stringClaim(claims, 'aud') ?? '';
  const accepted = registry.armAudienceTokens ? [...ACR_AUDIENCES, ...ARM_AUDIENCES] : ACR_AUDIENCES;
  if (!accepted.includes(audience)) {
    return { error: acrError(401, 'UNAUTHORIZED', `The access token audience '${audience}' is not accepted by this registry; accepted: ${accepted.join(', ')}.`) };
  }
  const tenantId = stringClaim(claims, 'tid') ?? '';
  const objectId = stringClaim(claims, 'oid') ?? '';
  if (tenantField && tenantField.toLowerCase() !== tenantId) {
    return { error: acrError(401, 'UNAUTHORIZED', `The tenant '${tenantField}' does not match the access token's tenant '${tenantId}'.`) };
  }
  const subscription = context.inventory.subscription(registry.subscriptionId);
  if (subscription?.tenantId !== tenantId) {
    return { error: acrError(401, 'UNAUTHORIZED', `The access token is from tenant '${tenantId}', but the registry belongs to tenant '${subscription?.tenantId}'.`) };
  }
  return { objectId, tenantId };
}

/**
 * Rejects a token outside its `nbf`..`exp` range with 401, as the registry rejects every Entra
 * token it cannot use. NOTE: ACR does not document these texts. They name both times so that a
 * reader can tell an expired token from a wrong clock.
 */
function checkTimeRange(claims: Record<string, unknown>, now: number): FakeResponse | undefined {
  const expires = numericClaim(claims, 'exp') ?? 0;
  const notBefore = numericClaim(claims, 'nbf');
  if (expires * 1000 <= now) {
    return acrError(401, 'UNAUTHORIZED', `The access token expired at ${isoTime(expires)} (registry time ${isoTime(now / 1000)}).`);
  }
  if (notBefore !== undefined && notBefore * 1000 > now) {
    return acrError(401, 'UNAUTHORIZED', `The access token is not valid before ${isoTime(notBefore)} (registry time ${isoTime(now / 1000)}).`);
  }
  return undefined;
}

function isoTime(seconds: number): string {
  return new Date(Math.floor(seconds) * 1000).toISOString();
}

/**
 * Registry errors have the Docker Registry HTTP API shape `{ "errors": [{ code, message, detail }] }`.
 * NOTE: ACR documents that shape (AcrErrors) but not the codes and messages of /oauth2/exchange
 * failures, so the ones here are the fake's own.
 */
export function acrError(status: number, code: string, message: string): FakeResponse {
  return { status, json: { errors: [{ code, message, detail: null }] } };
}
