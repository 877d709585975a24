// ACR refresh tokens: JWTs that Azure Container Registry issues from `POST /oauth2/exchange`
// and that clients present as the password of user 00000000-0000-0000-0000-000000000000. The
// claims follow the sample in Azure/acr docs/AAD-OAuth.md ("Azure Container Registry token
// claim sets"): iss `Azure Container Registry`, aud the login server, grant_type
// `refresh_token`, the tenant and the caller's permissions on the registry.
import { newGuid } from '../shared/ids';
import { decodeJwt, hasValidSignature, numericClaim, stringClaim, type JwtSigningKey } from '../shared/jwt';

/** The user name that marks the password as an ACR refresh token. */
export const ACR_REFRESH_TOKEN_USERNAME = '00000000-0000-0000-0000-000000000000';

export const ACR_PULL_ACTION = 'Microsoft.ContainerRegistry/registries/pull/read';
export const ACR_PUSH_ACTION = 'Microsoft.ContainerRegistry/registries/push/write';
export const ACR_DELETE_ACTION = 'Microsoft.ContainerRegistry/registries/delete';

const ISSUER = 'Azure Container Registry';

export interface RefreshTokenGrant {
  loginServer: string;
  tenantId: string;
  /** The caller's `oid`. */
  objectId: string;
  /** Registry actions the caller's roles allow, evaluated when the token is issued. */
  actions: string[];
}

export type RefreshTokenCheck =
  | (RefreshTokenGrant & { valid: true; canPull: boolean; canPush: boolean; expiresAt: number })
  | { valid: false; reason: string };

export function issueRefreshToken(key: JwtSigningKey, grant: RefreshTokenGrant, nowMs: number, lifetimeSeconds: number): string {
  const now = Math.floor(nowMs / 1000);
  return key.sign({
    jti: newGuid(),
    sub: grant.objectId,
    nbf: now,
    exp: now + lifetimeSeconds,
    iat: now,
    iss: ISSUER,
    aud: grant.loginServer,
    version: '1.0',
    grant_type: 'refresh_token',
    tenant: grant.tenantId,
    permissions: { actions: grant.actions, notActions: [] },
    roles: [],
  });
}

/** Checks signature, issuer, expiry and (when given) the login server, and returns the grant. */
export function checkRefreshToken(key: JwtSigningKey, token: string, nowMs: number, loginServer?: string): RefreshTokenCheck {
  const jwt = decodeJwt(token);
  if (!jwt) return { valid: false, reason: 'The password is not an ACR refresh token (not a JSON Web Token).' };
  if (jwt.header.kid !== key.keyId || !hasValidSignature(jwt, key.publicKey)) {
    return { valid: false, reason: 'The refresh token was not issued by the fake Azure Container Registry.' };
  }
  const claims = jwt.claims;
  const audience = stringClaim(claims, 'aud') ?? '';
  const expires = numericClaim(claims, 'exp') ?? 0;
  if (stringClaim(claims, 'iss') !== ISSUER || stringClaim(claims, 'grant_type') !== 'refresh_token') {
    return { valid: false, reason: 'The token is not an ACR refresh token.' };
  }
  if (loginServer !== undefined && audience.toLowerCase() !== loginServer.toLowerCase()) {
    return { valid: false, reason: `The refresh token was issued for registry ${audience}, not ${loginServer}.` };
  }
  if (expires * 1000 <= nowMs) return { valid: false, reason: `The refresh token expired at ${new Date(expires * 1000).toISOString()}.` };
  const actions = permissionActions(claims.permissions);
  return {
    valid: true,
    loginServer: audience,
    tenantId: stringClaim(claims, 'tenant') ?? '',
    objectId: stringClaim(claims, 'sub') ?? '',
    actions,
    canPull: actions.includes(ACR_PULL_ACTION),
    canPush: actions.includes(ACR_PUSH_ACTION),
    expiresAt: expires * 1000,
  };
}

function permissionActions(permissions: unknown): string[] {
  const actions = (permissions as { actions?: unknown } | undefined)?.actions;
  return Array.isArray(actions) ? actions.filter((action): action is string => typeof action === 'string') : [];
}
