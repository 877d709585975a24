// Token requests and Azure error handling of the task, with stand-in credentials.
import * as assert from 'node:assert/strict';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { getMaskedToken, tokenTenant } from '../../../tasks/KanikoBuildV1/src/azure/credential';
import { azureErrorSummary } from '../../../tasks/KanikoBuildV1/src/azure/errors';
import { AzureResponseError, isExpiredTokenError, TokenRequestError } from '../../../tasks/KanikoBuildV1/src/azure/errors';
import { captureStdout } from './support/stdout';

const SCOPE = 'https://management.core.windows.net//.default';

function credentialReturning(token: Promise<AccessToken | null>): TokenCredential {
  return { getToken: () => token };
}

function jwtWithClaims(claims: Record<string, unknown>): string {
  const segment = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${segment({ alg: 'RS256' })}.${segment(claims)}.c2lnbmF0dXJl`;
}

describe('getMaskedToken', () => {
  const signal = new AbortController().signal;

  it('returns and masks the token', async () => {
    const credential = credentialReturning(Promise.resolve({ token: 'entra-access-token-0001', expiresOnTimestamp: Date.now() + 60_000 }));
    const { result, output } = await captureStdout(() => getMaskedToken(credential, SCOPE, signal));

    assert.equal(result, 'entra-access-token-0001');
    assert.match(output, /##vso\[task\.setsecret\]entra-access-token-0001/);
  });

  it('wraps a credential failure', async () => {
    const failure = new Error('ManagedIdentityCredential: Network unreachable. Message: network_error');
    const error = await getMaskedToken(credentialReturning(Promise.reject(failure)), SCOPE, signal).catch((caught: unknown) => caught);

    assert.ok(error instanceof TokenRequestError);
    assert.equal(error.message, failure.message);
    assert.equal(error.cause, failure);
  });

  it('times out a silent credential', async () => {
    const error = await getMaskedToken(credentialReturning(new Promise(() => undefined)), SCOPE, signal, 30).catch((caught: unknown) => caught);

    assert.ok(error instanceof TokenRequestError);
    assert.equal(error.message, `the token request for ${SCOPE} timed out after 0.03 s`);
  });

  it('rejects with the cancel reason', async () => {
    const controller = new AbortController();
    const pending = getMaskedToken(credentialReturning(new Promise(() => undefined)), SCOPE, controller.signal);
    controller.abort(new Error('The run was cancelled (SIGINT).'));
    const error = await pending.catch((caught: unknown) => caught);

    assert.ok(!(error instanceof TokenRequestError));
    assert.match(String((error as Error).message), /cancelled/);
  });

  it('rejects an empty token', async () => {
    const error = await getMaskedToken(credentialReturning(Promise.resolve(null)), SCOPE, signal).catch((caught: unknown) => caught);

    assert.ok(error instanceof TokenRequestError);
    assert.match(error.message, /returned no token/);
  });
});

describe('tokenTenant', () => {
  it('reads the tid claim', () => {
    assert.equal(tokenTenant(jwtWithClaims({ tid: '72f988bf-0000-4000-8000-000000000002', oid: 'x' })), '72f988bf-0000-4000-8000-000000000002');
  });

  it('is empty without a tid', () => {
    assert.equal(tokenTenant(jwtWithClaims({ oid: 'x' })), '');
    assert.equal(tokenTenant('not-a-jwt'), '');
    assert.equal(tokenTenant('a.%%%.c'), '');
  });
});

describe('azureErrorSummary', () => {
  const cases: { name: string; message: string; summary: string }[] = [
    {
      name: 'managed identity not found',
      message: 'ManagedIdentityCredential: Authentication failed. Message invalid_request: Error(s): Not Available - Timestamp: Not Available - Description: Identity not found - Correlation ID: Not Available - Trace ID: Not Available',
      summary: 'ManagedIdentityCredential: Authentication failed. Message invalid_request: Identity not found',
    },
    {
      name: 'managed identity unreachable',
      message: 'ManagedIdentityCredential: Network unreachable. Message: network_error: See https://aka.ms/msal.js.errors#network_error for details',
      summary: 'ManagedIdentityCredential: Network unreachable. Message: network_error: See https://aka.ms/msal.js.errors#network_error for details',
    },
    {
      name: 'Entra secret error',
      message: 'invalid_client: Error(s): 7000215 - Timestamp: 2026-08-01 10:00:00Z - Description: AADSTS7000215: Invalid client secret provided. Trace ID: t Correlation ID: c Timestamp: 2026-08-01 10:00:00Z - Correlation ID: c - Trace ID: t',
      summary: 'invalid_client: AADSTS7000215: Invalid client secret provided',
    },
  ];
  for (const { name, message, summary } of cases) {
    it(`summarizes ${name}`, () => {
      assert.equal(azureErrorSummary(new Error(`${message}\nsecond line`)), summary);
    });
  }
});

describe('isExpiredTokenError', () => {
  const cases: { name: string; error: unknown; expired: boolean }[] = [
    { name: 'ARM expired', error: new AzureResponseError('listClusterUserCredential returned HTTP 401 ExpiredAuthenticationToken: ...', 401, 'ExpiredAuthenticationToken'), expired: true },
    { name: 'ACR expired', error: new AzureResponseError('r/oauth2/exchange returned HTTP 401: UNAUTHORIZED: The access token expired at 2026-08-01T10:00:00.000Z', 401, 'UNAUTHORIZED'), expired: true },
    { name: 'ACR without role', error: new AzureResponseError('r/oauth2/exchange returned HTTP 401: UNAUTHORIZED: The identity x has no role', 401, 'UNAUTHORIZED'), expired: false },
    { name: 'ARM forbidden', error: new AzureResponseError('returned HTTP 403 AuthorizationFailed', 403, 'AuthorizationFailed'), expired: false },
    { name: 'ARM wrong audience', error: new AzureResponseError('returned HTTP 401 InvalidAuthenticationTokenAudience', 401, 'InvalidAuthenticationTokenAudience'), expired: false },
    { name: 'token request', error: new TokenRequestError('the token request timed out'), expired: false },
    { name: 'plain error', error: new Error('ExpiredAuthenticationToken'), expired: false },
  ];
  for (const { name, error, expired } of cases) {
    it(`classifies ${name}`, () => {
      assert.equal(isExpiredTokenError(error), expired);
    });
  }
});
