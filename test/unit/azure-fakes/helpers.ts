// Helpers for the Azure fakes' tests: fakes on a clock the test can move, options that point
// @azure/identity at the fake Entra ID, and raw HTTPS requests that trust the fakes' CA.
import { request } from 'node:https';
import { startAzureFakes, type AzureFakes } from '../../../tools/azure-fakes/index';

export class TestClock {
  offsetMs = 0;
  readonly now = (): number => Date.now() + this.offsetMs;

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

export interface TestFakes {
  fakes: AzureFakes;
  clock: TestClock;
}

export async function startTestFakes(): Promise<TestFakes> {
  const clock = new TestClock();
  const fakes = await startAzureFakes({ now: clock.now, organization: 'contoso' });
  return { fakes, clock };
}

/** Credential options for @azure/identity that reach only the fake Entra ID. */
export function identityOptions(fakes: AzureFakes): { authorityHost: string; disableInstanceDiscovery: true; tlsOptions: { ca: string } } {
  return { authorityHost: fakes.entra.url, disableInstanceDiscovery: true, tlsOptions: { ca: fakes.caPem } };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Record<string, unknown>;
}

/** Sends one request that trusts the fakes' CA. `form` is sent form-encoded. */
export function send(
  fakes: AzureFakes,
  method: string,
  url: string,
  options: { form?: Record<string, string>; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { ...options.headers };
  let body = options.body ?? '';
  if (options.form) {
    body = new URLSearchParams(options.form).toString();
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  headers['Content-Length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const call = request(url, { method, headers, ca: fakes.caPem }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json: parseJson(text) }));
    });
    call.on('error', reject);
    call.end(body);
  });
}

/** Returns the claims of a JWT without checking its signature. */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Runs a call that must fail and returns its error. */
export async function failureOf(call: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await call;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('The call succeeded, but it was expected to fail.');
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
