// RS256 JSON Web Tokens (RFC 7519) for the fakes: each fake that issues tokens owns a signing
// key, and the fakes that accept tokens check signatures with the issuer's public key. Entra ID,
// Azure DevOps and Azure Container Registry all sign with RS256 and name the key in `kid`.
import { createHash, generateKeyPair, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto';

export type JwtClaims = Record<string, unknown>;

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: JwtClaims;
  /** `base64url(header).base64url(claims)`, the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
}

export class JwtSigningKey {
  private constructor(
    private readonly privateKey: KeyObject,
    readonly publicKey: KeyObject,
    /** Key id: base64url of the SHA-1 digest of the public key, the shape of Entra's `kid`. */
    readonly keyId: string,
  ) {}

  /** Generates an RSA-2048 key pair (tens of milliseconds, off the main thread). */
  static async generate(): Promise<JwtSigningKey> {
    const { publicKey, privateKey } = await new Promise<{ publicKey: KeyObject; privateKey: KeyObject }>((resolve, reject) => {
      generateKeyPair('rsa', { modulusLength: 2048 }, (error, publicKey, privateKey) =>
        error ? reject(error) : resolve({ publicKey, privateKey }),
      );
    });
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    const keyId = createHash('sha1').update(spki).digest('base64url');
    return new JwtSigningKey(privateKey, publicKey, keyId);
  }

  /** Returns a compact JWT with header `{ typ: JWT, alg: RS256, x5t, kid }`. */
  sign(claims: JwtClaims): string {
    const header = { typ: 'JWT', alg: 'RS256', x5t: this.keyId, kid: this.keyId };
    const signingInput = `${encodeSegment(header)}.${encodeSegment(claims)}`;
    const signature = sign('sha256', Buffer.from(signingInput), this.privateKey);
    return `${signingInput}.${signature.toString('base64url')}`;
  }

  /** Returns the public key as an entry of a JWKS document. */
  jwk(): JsonWebKey {
    return { ...this.publicKey.export({ format: 'jwk' }), kty: 'RSA', use: 'sig', kid: this.keyId, x5t: this.keyId };
  }
}

/** Splits and parses a compact JWT, or returns undefined for anything that is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) return undefined;
  const header = parseSegment(parts[0]);
  const claims = parseSegment(parts[1]);
  if (!header || !claims) return undefined;
  return { header, claims, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], 'base64url') };
}

/** Checks an RS256 signature. Any other `alg` (including `none`) fails. */
export function hasValidSignature(jwt: DecodedJwt, publicKey: KeyObject): boolean {
  if (jwt.header.alg !== 'RS256') return false;
  return verify('sha256', Buffer.from(jwt.signingInput), publicKey, jwt.signature);
}

/** Returns a numeric claim such as `exp`, or undefined when it is missing or not a number. */
export function numericClaim(claims: JwtClaims, name: string): number | undefined {
  const value = claims[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Returns a string claim, or undefined when it is missing or not a string. */
export function stringClaim(claims: JwtClaims, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' ? value : undefined;
}

function encodeSegment(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function parseSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
