// Failures of the Azure calls that get cluster and registry credentials, typed so that the
// step's error can name the cause: no token at all, an expired token, or a rejected call.

/**
 * The credential produced no token: Microsoft Entra ID or the managed identity endpoint
 * rejected the request, could not be reached or did not respond in time.
 */
export class TokenRequestError extends Error {
  override readonly name = 'TokenRequestError';
}

/** An Azure service returned an HTTP error status, with the error code of its body when it has one. */
export class AzureResponseError extends Error {
  override readonly name = 'AzureResponseError';

  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * Returns whether Azure rejected the call's access token as expired. Resource Manager returns
 * 401 `ExpiredAuthenticationToken`. ACR documents no code for it, and its `/oauth2/exchange`
 * returns 401 `UNAUTHORIZED` for every unusable token, so only the text marks an expired one.
 */
export function isExpiredTokenError(error: unknown): boolean {
  if (!(error instanceof AzureResponseError) || error.status !== 401) return false;
  return error.code === 'ExpiredAuthenticationToken' || (error.code === 'UNAUTHORIZED' && /\bexpired\b/i.test(error.message));
}

/**
 * Returns the first line of an Azure error for the step's log. MSAL's messages wrap the
 * AADSTS text in timestamps, trace and correlation ids, which are of no use to the pipeline author.
 */
export function azureErrorSummary(error: unknown): string {
  return (error instanceof Error ? error.message : String(error))
    .split('\n')[0]
    .replace(/Error\(s\):.*?Description: /, '')
    .replace(/ - Correlation ID:.*$/, '')
    .replace(/ Trace ID:.*$/, '')
    .replace(/\.+$/, '');
}
