// Error responses of the Entra ID token endpoint. The body fields (error, error_description
// starting with `AADSTS<code>:`, error_codes, timestamp, trace_id, correlation_id, error_uri)
// and the codes follow Microsoft's reference "Microsoft Entra authentication and authorization
// error codes". Message texts follow responses of the real service quoted in public issues.
import { newGuid } from '../shared/ids';
import type { FakeResponse } from '../shared/https-server';

/** OAuth 2.0 `error` values (RFC 6749, section 5.2) that the fake returns. */
export type OAuthError = 'invalid_request' | 'invalid_client' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope' | 'invalid_resource';

export class EntraError extends Error {
  constructor(
    readonly error: OAuthError,
    readonly code: number,
    readonly description: string,
  ) {
    super(code ? `AADSTS${code}: ${description}` : description);
  }

  /** Returns 401 for failed client authentication and 400 for everything else, as Entra does. */
  get status(): number {
    return this.error === 'invalid_client' ? 401 : 400;
  }
}

/** Builds the JSON error response. `correlationId` echoes the client's `client-request-id`. */
export function entraErrorResponse(failure: EntraError, now: number, correlationId: string | undefined): FakeResponse {
  const timestamp = new Date(now).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const traceId = newGuid();
  const correlation = correlationId ?? newGuid();
  return {
    status: failure.status,
    json: {
      error: failure.error,
      error_description: `${failure.message} Trace ID: ${traceId} Correlation ID: ${correlation} Timestamp: ${timestamp}`,
      error_codes: [failure.code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlation,
      error_uri: `https://login.microsoftonline.com/error?code=${failure.code}`,
    },
  };
}

const FEDERATION_HELP = 'Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation';

export const entraErrors = {
  tenantNotFound: (tenant: string) =>
    new EntraError(
      'invalid_request',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    ),
  methodNotAllowed: (method: string) =>
    new EntraError('invalid_request', 900561, `The endpoint only accepts POST, OPTIONS requests. Received a ${method} request.`),
  missingParameter: (name: string) => new EntraError('invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`),
  invalidParameter: (name: string) => new EntraError('invalid_request', 90100, `${name} parameter is empty or not valid.`),
  unsupportedGrantType: (grantType: string) => new EntraError('unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`),
  appNotFound: (appId: string, tenantName: string) =>
    new EntraError(
      'unauthorized_client',
      700016,
      `Application with identifier '${appId}' was not found in the directory '${tenantName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    ),
  appDisabled: (appId: string, displayName: string) => new EntraError('unauthorized_client', 7000112, `Application '${appId}'(${displayName}) is disabled.`),
  missingCredential: () => new EntraError('invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
  // The code and text for a request with both a secret and an assertion are a guess, because the
  // Entra reference documents only the generic AADSTS9002313 "request is malformed".
  twoCredentials: () => new EntraError('invalid_request', 9002313, 'Invalid request. Request is malformed or invalid. Send either client_secret or client_assertion, not both.'),
  invalidSecret: (appId: string) =>
    new EntraError(
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${appId}'.`,
    ),
  expiredSecret: (appId: string) =>
    new EntraError(
      'invalid_client',
      7000222,
      `The provided client secret keys for app '${appId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
    ),
  malformedAssertion: () => new EntraError('invalid_client', 50027, 'JWT token is invalid or malformed.'),
  certificateAssertion: () =>
    new EntraError('invalid_client', 700027, 'Client assertion failed signature validation. The fake Entra ID registers no certificates on applications.'),
  noFederatedCredentials: (issuer: string, subject: string, audience: string) =>
    new EntraError(
      'invalid_request',
      70021,
      `No matching federated identity record found for presented assertion. Assertion Issuer: '${issuer}'. Assertion Subject: '${subject}'. Assertion Audience: '${audience}'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
    ),
  issuerMismatch: (issuer: string) =>
    new EntraError('invalid_client', 700211, `No matching federated identity record found for presented assertion issuer '${issuer}'. ${FEDERATION_HELP}`),
  audienceMismatch: (audience: string) =>
    new EntraError('invalid_client', 700212, `No matching federated identity record found for presented assertion audience '${audience}'. ${FEDERATION_HELP}`),
  subjectMismatch: (subject: string) =>
    new EntraError('invalid_client', 700213, `No matching federated identity record found for presented assertion subject '${subject}'. ${FEDERATION_HELP}`),
  subjectCaseMismatch: (subject: string) =>
    new EntraError(
      'invalid_client',
      7002138,
      `No matching federated identity record found for presented assertion subject '${subject}'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison. ${FEDERATION_HELP}`,
    ),
  // Entra fetches the keys of a federated issuer from its OpenID discovery document. The code it
  // returns when the signature does not verify is not documented, so this uses 700027.
  badAssertionSignature: () => new EntraError('invalid_client', 700027, 'Client assertion failed signature validation.'),
  assertionTimeRange: (now: number, notBefore: number | undefined, expires: number) =>
    new EntraError(
      'invalid_client',
      700024,
      `Client assertion is not within its valid time range. Current time: ${roundTripTime(now)}, assertion valid from ${roundTripTime((notBefore ?? 0) * 1000)}, expiry time of assertion ${roundTripTime(expires * 1000)}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`,
    ),
  invalidScope: (scope: string) => new EntraError('invalid_scope', 70011, `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`),
  scopeWithoutDefault: (scope: string) =>
    new EntraError(
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    ),
  resourceNotFound: (resource: string, tenantName: string) =>
    new EntraError(
      'invalid_resource',
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${tenantName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    ),
  // Not a real Entra ID error, so it has no AADSTS code: see storageRoleMissing in directory.ts.
  storageRoleMissing: (appId: string, resource: string) =>
    new EntraError(
      'unauthorized_client',
      0,
      `The fake Entra ID issues ${resource} tokens only to principals with a Storage Blob Data role, and app '${appId}' has none. Real Entra ID issues the token, and Azure Storage rejects the request with 403 AuthorizationPermissionMismatch.`,
    ),
};

/** .NET's round-trip time format with seven fraction digits, as in Entra's AADSTS700024 message. */
function roundTripTime(milliseconds: number): string {
  return new Date(milliseconds).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}
