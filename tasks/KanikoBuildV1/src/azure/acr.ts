// ACR refresh tokens from Entra tokens (the "AAD token exchange" of Azure/acr docs, AAD-OAuth.md).
import { withDeadline } from '../timeout';
import { AzureResponseError } from './errors';

/** The Entra resource whose tokens ACR exchanges. */
export const ACR_TOKEN_SCOPE = 'https://containerregistry.azure.net/.default';
/** Time limit of the exchange, including reading its response. */
const REQUEST_TIMEOUT_MS = 60_000;

/** Exchanges an Entra access token for a refresh token of the registry `loginServer`. */
export async function exchangeForRefreshToken(
  loginServer: string, tenantId: string, entraToken: string, signal: AbortSignal,
): Promise<string> {
  const body = await withDeadline(async (deadline) => {
    const response = await fetch(`https://${loginServer}/oauth2/exchange`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'access_token', service: loginServer, tenant: tenantId, access_token: entraToken }),
      signal: deadline,
    });
    if (!response.ok) {
      const { code, detail } = errorDetail(await response.text().catch(() => ''));
      const message = `${loginServer}/oauth2/exchange returned HTTP ${response.status}${detail ? `: ${detail}` : ''}`;
      throw new AzureResponseError(message, response.status, code);
    }
    return (await response.json()) as { refresh_token?: unknown };
  }, REQUEST_TIMEOUT_MS, `${loginServer}/oauth2/exchange`, signal);
  if (typeof body.refresh_token !== 'string' || !body.refresh_token) {
    throw new Error(`${loginServer}/oauth2/exchange returned no refresh token`);
  }
  return body.refresh_token;
}

/**
 * Returns the first error code and `CODE: message` of a registry error body
 * (`{ "errors": [{ "code", "message" }] }`), or no code and the start of the body.
 */
function errorDetail(body: string): { code: string; detail: string } {
  try {
    const first = (JSON.parse(body) as { errors?: { code?: string; message?: string }[] }).errors?.[0];
    if (first) return { code: first.code ?? '', detail: [first.code, first.message].filter(Boolean).join(': ').replace(/\.+$/, '') };
  } catch {
    // Not JSON: show the start of the text.
  }
  return { code: '', detail: body.slice(0, 300).replace(/\s+/g, ' ').trim() };
}
