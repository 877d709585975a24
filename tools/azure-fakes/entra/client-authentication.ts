// Client authentication at the token endpoint. A client sends a client secret (in the form or
// as HTTP Basic, RFC 6749 section 2.3.1) or a JWT assertion from an external issuer. An
// assertion must match one of the app's federated identity credentials by issuer, subject and
// audience (Entra workload identity federation). Certificate assertions are not supported.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { decodeJwt, hasValidSignature, numericClaim, stringClaim, type DecodedJwt } from '../shared/jwt';
import type { AppRegistration, EntraDirectory } from './directory';
import { entraErrors, type EntraError } from './errors';

export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** The kind of credential the client presented, which Entra records in the `appidacr` claim. */
export type CredentialKind = 'secret' | 'assertion';

/** Client id and secret from the form, or from an `Authorization: Basic` header when the form has none. */
export function clientIdAndSecret(form: URLSearchParams, headers: IncomingHttpHeaders): { clientId?: string; secret?: string } {
  const basic = /^Basic\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  if (basic && !form.has('client_secret')) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) {
      return { clientId: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
    }
  }
  return { clientId: form.get('client_id') ?? undefined, secret: form.get('client_secret') ?? undefined };
}

/** Checks the client's credential and returns its kind, or the error that Entra returns. */
export function authenticateClient(
  directory: EntraDirectory,
  app: AppRegistration,
  form: URLSearchParams,
  secret: string | undefined,
): CredentialKind | EntraError {
  const assertion = form.get('client_assertion');
  if (secret !== undefined && assertion !== null) return entraErrors.twoCredentials();
  if (secret !== undefined) return checkSecret(directory, app, secret) ?? 'secret';
  if (assertion === null) return entraErrors.missingCredential();
  const assertionType = form.get('client_assertion_type');
  if (assertionType === null) return entraErrors.missingParameter('client_assertion_type');
  if (assertionType !== JWT_BEARER_ASSERTION_TYPE) return entraErrors.invalidParameter('client_assertion_type');
  return checkFederatedAssertion(directory, app, assertion) ?? 'assertion';
}

function checkSecret(directory: EntraDirectory, app: AppRegistration, presented: string): EntraError | undefined {
  const match = app.secrets.find((secret) => sameText(secret.value, presented));
  if (!match) return entraErrors.invalidSecret(app.appId);
  if (match.expiresAt !== undefined && match.expiresAt <= directory.now()) return entraErrors.expiredSecret(app.appId);
  return undefined;
}

function checkFederatedAssertion(directory: EntraDirectory, app: AppRegistration, assertion: string): EntraError | undefined {
  const jwt = decodeJwt(assertion);
  const issuer = jwt && stringClaim(jwt.claims, 'iss');
  const subject = jwt && stringClaim(jwt.claims, 'sub');
  const audiences = jwt ? audienceList(jwt.claims.aud) : [];
  if (!jwt || !issuer || !subject || audiences.length === 0) return entraErrors.malformedAssertion();
  if (issuer === app.appId && subject === app.appId) return entraErrors.certificateAssertion();

  const mismatch = matchFederatedCredential(app, issuer, subject, audiences);
  if (mismatch) return mismatch;

  const key = directory.issuerKey(issuer, jwt.header.kid);
  if (!key || !hasValidSignature(jwt, key)) return entraErrors.badAssertionSignature();
  return checkTimeRange(jwt, directory.now());
}

/**
 * Finds the credential for the assertion. The error names the first claim that no credential
 * matches, checked in the order issuer, subject, audience. Matching is case-sensitive.
 */
function matchFederatedCredential(app: AppRegistration, issuer: string, subject: string, audiences: string[]): EntraError | undefined {
  if (app.federatedCredentials.length === 0) return entraErrors.noFederatedCredentials(issuer, subject, audiences.join(', '));
  const sameIssuer = app.federatedCredentials.filter((credential) => credential.issuer === issuer);
  if (sameIssuer.length === 0) return entraErrors.issuerMismatch(issuer);
  const sameSubject = sameIssuer.filter((credential) => credential.subject === subject);
  if (sameSubject.length === 0) {
    const caseOnly = sameIssuer.some((credential) => credential.subject.toLowerCase() === subject.toLowerCase());
    return caseOnly ? entraErrors.subjectCaseMismatch(subject) : entraErrors.subjectMismatch(subject);
  }
  const matched = sameSubject.some((credential) => credential.audiences.some((audience) => audiences.includes(audience)));
  return matched ? undefined : entraErrors.audienceMismatch(audiences[0]);
}

function checkTimeRange(jwt: DecodedJwt, now: number): EntraError | undefined {
  const expires = numericClaim(jwt.claims, 'exp');
  const notBefore = numericClaim(jwt.claims, 'nbf');
  if (expires === undefined) return entraErrors.malformedAssertion();
  const nowSeconds = now / 1000;
  if (nowSeconds >= expires || (notBefore !== undefined && nowSeconds < notBefore)) {
    return entraErrors.assertionTimeRange(now, notBefore, expires);
  }
  return undefined;
}

function audienceList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

function sameText(expected: string, presented: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
