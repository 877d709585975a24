// ACR refresh tokens from Entra tokens (the "AAD token exchange" of Azure/acr docs, AAD-OAuth.md).

/** The Entra resource whose tokens ACR exchanges. */
export const ACR_TOKEN_SCOPE = 'https://containerregistry.azure.net/.default';

/** Exchanges an Entra access token for a refresh token of the registry `loginServer`. */
export async function exchangeForRefreshToken(
  loginServer: string, tenantId: string, entraToken: string, signal: AbortSignal,
): Promise<string> {
  const response = await fetch(`https://${loginServer}/oauth2/exchange`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'access_token', service: loginServer, tenant: tenantId, access_token: entraToken }),
    signal,
  });
  if (!response.ok) {
    const detail = errorDetail(await response.text().catch(() => ''));
    throw new Error(`${loginServer}/oauth2/exchange returned HTTP ${response.status}${detail ? `: ${detail}` : ''}`);
  }
  const body = (await response.json()) as { refresh_token?: unknown };
  if (typeof body.refresh_token !== 'string' || !body.refresh_token) {
    throw new Error(`${loginServer}/oauth2/exchange returned no refresh token`);
  }
  return body.refresh_token;
}

/** Returns `CODE: message` from a registry error body (`{ "errors": [{ "code", "message" }] }`), or its start. */
function errorDetail(body: string): string {
  try {
    const first = (JSON.parse(body) as { errors?: { code?: string; message?: string }[] }).errors?.[0];
    if (first) return [first.code, first.message].filter(Boolean).join(': ').replace(/\.+$/, '');
  } catch {
    // Not JSON: show the start of the text.
  }
  return body.slice(0, 300).replace(/\s+/g, ' ').trim();
}
