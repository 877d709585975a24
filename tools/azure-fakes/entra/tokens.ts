// Tokens the fake Entra ID issues. Access tokens for Azure Resource Manager, Azure Container
// Registry and the AKS server application are v1.0 tokens (those resources accept v1.0), so
// they carry `appid`, `appidacr` and the `https://sts.windows.net/{tenant}/` issuer.
import { newGuid } from '../shared/ids';
import type { AppRegistration, EntraDirectory } from './directory';
import type { CredentialKind } from './client-authentication';

/** Claims of an app-only v1.0 access token. */
export interface AccessTokenClaims {
  aud: string;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  appid: string;
  /** `1` after a client secret, `2` after a certificate, a federated assertion or for a managed identity. */
  appidacr: '1' | '2';
  idp: string;
  idtyp: 'app';
  oid: string;
  sub: string;
  tid: string;
  uti: string;
  ver: '1.0';
}

export interface IssuedAccessToken {
  token: string;
  claims: AccessTokenClaims;
}

/** Returns the `iss` of v1.0 access tokens for a tenant. */
export function v1Issuer(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}

export function issueAccessToken(
  directory: EntraDirectory, app: AppRegistration, resource: string, kind: CredentialKind | 'managedIdentity',
): IssuedAccessToken {
  const now = Math.floor(directory.now() / 1000);
  const claims: AccessTokenClaims = {
    aud: resource,
    iss: v1Issuer(app.tenantId),
    iat: now,
    // Entra back-dates nbf by five minutes to absorb clock skew.
    nbf: now - 300,
    exp: now + directory.tokenLifetimeSeconds,
    appid: app.appId,
    appidacr: kind === 'secret' ? '1' : '2',
    idp: v1Issuer(app.tenantId),
    idtyp: 'app',
    oid: app.objectId,
    sub: app.objectId,
    tid: app.tenantId,
    uti: newGuid().replace(/-/g, ''),
    ver: '1.0',
  };
  return { token: directory.signingKey.sign({ ...claims }), claims };
}

/**
 * Issues an Entra-signed ID token for workload identity federation, as Entra does for Azure
 * DevOps service connections that use the Microsoft Entra issuer. It is valid for five
 * minutes, like the Azure DevOps issuer's tokens.
 */
export function issueFederationToken(directory: EntraDirectory, tenantId: string, subject: string, audience: string): string {
  const now = Math.floor(directory.now() / 1000);
  return directory.signingKey.sign({
    aud: audience,
    iss: directory.v2Issuer(tenantId),
    iat: now,
    nbf: now - 300,
    exp: now + 300,
    sub: subject,
    tid: tenantId,
    jti: newGuid(),
    ver: '2.0',
  });
}
