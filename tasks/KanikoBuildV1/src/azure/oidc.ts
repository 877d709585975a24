// The pipeline's OIDC token for workload identity federation, from Azure DevOps.

const API_VERSION = '7.1';

/**
 * Requests an ID token for the service connection from the job's OIDC endpoint
 * (System.OidcRequestUri), authenticated with the job's access token, as Microsoft's
 * "Create an Azure Resource Manager service connection that uses workload identity federation" describes.
 */
export async function requestOidcToken(oidcRequestUri: string, connectionId: string, accessToken: string): Promise<string> {
  const url = new URL(oidcRequestUri);
  url.searchParams.set('api-version', API_VERSION);
  url.searchParams.set('serviceConnectionId', connectionId);
  const response = await fetch(url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
    body: '{}',
  });
  if (!response.ok) {
    throw new Error(`the pipeline's OIDC endpoint returned HTTP ${response.status} for service connection ${connectionId}`);
  }
  const body = (await response.json()) as { oidcToken?: unknown };
  if (typeof body.oidcToken !== 'string' || !body.oidcToken) {
    throw new Error(`the pipeline's OIDC endpoint returned no token for service connection ${connectionId}`);
  }
  return body.oidcToken;
}
