// Error responses of the fake Azure Resource Manager: `{ "error": { "code", "message" } }`.
// Codes and texts follow ARM responses quoted in public issues of Azure SDKs and tools.
import type { FakeResponse } from '../shared/https-server';

export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Builds the response. A 401 response carries the `WWW-Authenticate` challenge that ARM sends. */
export function armErrorResponse(failure: ArmError, authorityUrl: string): FakeResponse {
  const headers: Record<string, string> = {};
  if (failure.status === 401) {
    const description = failure.message.replace(/"/g, "'");
    headers['WWW-Authenticate'] = `Bearer authorization_uri="${authorityUrl}/", error="invalid_token", error_description="${description}"`;
    headers['x-ms-failure-cause'] = 'gateway';
  }
  return { status: failure.status, headers, json: { error: { code: failure.code, message: failure.message } } };
}

/** ARM's allowed audiences, in the order its InvalidAuthenticationTokenAudience message lists them. */
export const ARM_AUDIENCES = ['https://management.core.windows.net/', 'https://management.core.windows.net', 'https://management.azure.com/', 'https://management.azure.com'];

export const armErrors = {
  missingApiVersion: () => new ArmError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.'),
  // The text for a malformed api-version is the fake's own. ARM's text lists the supported versions.
  invalidApiVersion: (version: string) =>
    new ArmError(400, 'InvalidApiVersionParameter', `The api-version '${version}' is invalid. The supported versions are dates in the form 'yyyy-mm-dd', optionally followed by '-preview'.`),
  missingAuthorization: () => new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing."),
  invalidAuthorizationHeader: () => new ArmError(401, 'AuthenticationFailedInvalidHeader', "Authentication failed. The 'Authorization' header is provided in an invalid format."),
  invalidToken: () => new ArmError(401, 'InvalidAuthenticationToken', 'The access token is invalid.'),
  expiredToken: (expires: number, now: number) =>
    new ArmError(401, 'ExpiredAuthenticationToken', `The access token expiry UTC time '${dotnetUtc(expires)}' is earlier than current UTC time '${dotnetUtc(now)}'.`),
  wrongAudience: (audience: string) =>
    new ArmError(
      401,
      'InvalidAuthenticationTokenAudience',
      `The access token has been obtained for wrong audience or resource '${audience}'. It should exactly match with one of the allowed audiences ${ARM_AUDIENCES.map((value) => `'${value}'`).join(',')}.`,
    ),
  wrongTenant: (issuer: string, tenantId: string, authorityUrl: string) =>
    new ArmError(
      401,
      'InvalidAuthenticationTokenTenant',
      `The access token is from the wrong issuer '${issuer}'. It must match the tenant 'https://sts.windows.net/${tenantId}/' associated with this subscription. Please use the authority (URL) '${authorityUrl}/${tenantId}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.`,
    ),
  invalidSubscriptionId: (id: string) => new ArmError(400, 'InvalidSubscriptionId', `The provided subscription identifier '${id}' is malformed or invalid.`),
  subscriptionNotFound: (id: string) => new ArmError(404, 'SubscriptionNotFound', `The subscription '${id}' could not be found.`),
  authorizationFailed: (appId: string, objectId: string, action: string, scope: string) =>
    new ArmError(
      403,
      'AuthorizationFailed',
      `The client '${appId}' with object id '${objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    ),
  resourceGroupNotFound: (name: string) => new ArmError(404, 'ResourceGroupNotFound', `Resource group '${name}' could not be found.`),
  resourceNotFound: (type: string, name: string, group: string) =>
    new ArmError(
      404,
      'ResourceNotFound',
      `The Resource '${type}/${name}' under resource group '${group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    ),
  localAccountsDisabled: () => new ArmError(400, 'BadRequest', 'Getting static credential is not allowed because this cluster is set to disable local accounts.'),
};

/** Formats a UTC time as .NET does for the en-US culture: `6/15/2026 8:22:51 AM`. */
function dotnetUtc(milliseconds: number): string {
  const date = new Date(milliseconds);
  const hours = date.getUTCHours();
  const twelveHour = hours % 12 === 0 ? 12 : hours % 12;
  const pad = (value: number) => String(value).padStart(2, '0');
  const time = `${twelveHour}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
  return `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()} ${time}`;
}
