// HTTP routes of the fake Entra ID (Microsoft identity platform v2.0 endpoints):
//   GET  /{tenant}/v2.0/.well-known/openid-configuration   OpenID discovery, which MSAL reads
//   GET  /{tenant}/discovery/v2.0/keys                     the signing keys (JWKS)
//   POST /{tenant}/oauth2/v2.0/token                       the client credentials grant
// The tenant segment must be a registered tenant id. Domain names are not supported.
import { headerValue, type FakeRequest, type FakeResponse } from '../shared/https-server';
import { authenticateClient, clientIdAndSecret } from './client-authentication';
import type { EntraDirectory, EntraTenant } from './directory';
import { EntraError, entraErrorResponse, entraErrors } from './errors';
import { issueAccessToken } from './tokens';

const DEFAULT_SCOPE_SUFFIX = '/.default';

export function handleEntraRequest(directory: EntraDirectory, request: FakeRequest): FakeResponse {
  const match = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys|oauth2\/v2\.0\/token)$/.exec(request.url.pathname);
  if (!match) return { status: 404, text: `The fake Entra ID serves no ${request.url.pathname}.` };
  const tenantSegment = decodeURIComponent(match[1]);
  const route = match[2];
  // Entra echoes the client's request id (MSAL sends it as a query parameter) as the correlation id.
  const clientRequestId = headerValue(request, 'client-request-id') ?? request.url.searchParams.get('client-request-id') ?? undefined;
  const fail = (error: EntraError): FakeResponse => entraErrorResponse(error, directory.now(), clientRequestId);

  if (route === 'oauth2/v2.0/token') {
    if (request.method !== 'POST') return fail(entraErrors.methodNotAllowed(request.method));
    return issueToken(directory, request, tenantSegment, fail);
  }
  if (request.method !== 'GET') return { status: 405, headers: { Allow: 'GET' }, text: 'Method not allowed.' };
  const tenant = directory.tenant(tenantSegment);
  if (!tenant) {
    const notFound = entraErrorResponse(entraErrors.tenantNotFound(tenantSegment), directory.now(), undefined);
    return { ...notFound, json: { ...(notFound.json as object), error: 'invalid_tenant' } };
  }
  if (route === 'discovery/v2.0/keys') return { status: 200, json: { keys: [directory.signingKey.jwk()] } };
  return { status: 200, json: discoveryDocument(directory, tenant) };
}

function issueToken(directory: EntraDirectory, request: FakeRequest, tenantSegment: string, fail: (error: EntraError) => FakeResponse): FakeResponse {
  const tenant = directory.tenant(tenantSegment);
  if (!tenant) return fail(entraErrors.tenantNotFound(tenantSegment));
  const form = request.form ?? new URLSearchParams();

  const grantType = form.get('grant_type');
  if (!grantType) return fail(entraErrors.missingParameter('grant_type'));
  // Only the client credentials grant is implemented. Entra also supports grants that sign in a
  // user, which a build task cannot use, so the fake rejects them as unsupported.
  if (grantType !== 'client_credentials') return fail(entraErrors.unsupportedGrantType(grantType));
  const { clientId, secret } = clientIdAndSecret(form, request.headers);
  if (!clientId) return fail(entraErrors.missingParameter('client_id'));
  const scope = form.get('scope');
  if (!scope) return fail(entraErrors.missingParameter('scope'));

  const app = directory.app(tenant.id, clientId);
  if (!app) return fail(entraErrors.appNotFound(clientId, tenant.displayName));
  if (app.disabled) return fail(entraErrors.appDisabled(app.appId, app.displayName));
  const credentialKind = authenticateClient(directory, app, form, secret);
  if (credentialKind instanceof EntraError) return fail(credentialKind);
  const resource = resolveScope(directory, tenant, scope);
  if (resource instanceof EntraError) return fail(resource);
  if (!directory.mayIssueToken(app.objectId, resource)) return fail(entraErrors.storageRoleMissing(app.appId, resource));

  const issued = issueAccessToken(directory, app, resource, credentialKind);
  return {
    status: 200,
    headers: { Pragma: 'no-cache' },
    json: {
      token_type: 'Bearer',
      expires_in: directory.tokenLifetimeSeconds,
      ext_expires_in: directory.tokenLifetimeSeconds,
      access_token: issued.token,
    },
  };
}

/** Resolves the resource of the scope. The client credentials grant takes exactly one scope, `<resource>/.default`. */
function resolveScope(directory: EntraDirectory, tenant: EntraTenant, scope: string): string | EntraError {
  const scopes = scope.trim().split(/\s+/);
  if (scopes.length !== 1) return entraErrors.invalidScope(scope);
  if (!scopes[0].endsWith(DEFAULT_SCOPE_SUFFIX)) return entraErrors.scopeWithoutDefault(scopes[0]);
  const requested = scopes[0].slice(0, -'.default'.length);
  return directory.findResource(requested) ?? entraErrors.resourceNotFound(requested.replace(/\/$/, ''), tenant.displayName);
}

/** Builds the tenant's OpenID Connect discovery document. MSAL requires the fields authorization_endpoint, token_endpoint, jwks_uri and issuer. */
function discoveryDocument(directory: EntraDirectory, tenant: EntraTenant): Record<string, unknown> {
  const base = `${directory.baseUrl}/${tenant.id}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: directory.v2Issuer(tenant.id),
    request_uri_parameter_supported: false,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'tid', 'ver', 'oid'],
  };
}
