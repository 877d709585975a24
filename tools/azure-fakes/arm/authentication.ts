// Authentication at the fake Azure Resource Manager: the request must carry an access token
// that the fake Entra ID issued for one of ARM's audiences and that has not expired.
import type { EntraDirectory } from '../entra/directory';
import type { AccessTokenClaims } from '../entra/tokens';
import { numericClaim, stringClaim } from '../shared/jwt';
import { ARM_AUDIENCES, ArmError, armErrors } from './errors';

/** Returns the token's claims, or throws the ArmError with ARM's response for the failure. */
export function authenticateArmCaller(authorization: string | undefined, directory: EntraDirectory): AccessTokenClaims {
  if (!authorization) throw armErrors.missingAuthorization();
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!bearer) throw armErrors.invalidAuthorizationHeader();
  let claims: Record<string, unknown>;
  try {
    claims = directory.verifyToken(bearer[1]);
  } catch {
    throw armErrors.invalidToken();
  }

  const expires = numericClaim(claims, 'exp');
  if (expires === undefined) throw armErrors.invalidToken();
  const now = directory.now();
  if (expires * 1000 <= now) throw armErrors.expiredToken(expires * 1000, now);
  const audience = stringClaim(claims, 'aud') ?? '';
  if (!ARM_AUDIENCES.includes(audience)) throw armErrors.wrongAudience(audience);
  if (!stringClaim(claims, 'oid') || !stringClaim(claims, 'tid')) {
    throw new ArmError(
      401,
      'InvalidAuthenticationToken',
      "The received access token is not valid: at least one of the claims 'puid' or 'altsecid' or 'oid' should be present. If you are accessing as application please make sure service principal is properly created in the tenant.",
    );
  }
  return claims as unknown as AccessTokenClaims;
}
