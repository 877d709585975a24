// The record of every request the fakes served, for tests that assert what a client sent.
// Secrets never enter the record: form fields that carry credentials and the credential part
// of Authorization headers are replaced by REDACTED.
import type { IncomingHttpHeaders } from 'node:http';

export type FakeService = 'entra' | 'devops' | 'arm' | 'acr' | 'imds';

export interface RecordedRequest {
  service: FakeService;
  method: string;
  /** The URL path, such as `/tenant/oauth2/v2.0/token`. */
  path: string;
  query: Record<string, string>;
  /** Headers by lower-case name, with repeated headers joined by `, `. */
  headers: Record<string, string>;
  /** The fields of an `application/x-www-form-urlencoded` body, with secrets redacted. */
  form?: Record<string, string>;
  /** The HTTP status of the response. */
  status: number;
}

export const REDACTED = '[redacted]';

/** Form fields whose values are credentials in the protocols these fakes serve. */
const SECRET_FORM_FIELDS = new Set(['client_secret', 'client_assertion', 'access_token', 'refresh_token', 'password']);

/** Headers whose whole value is a credential. */
const SECRET_HEADERS = new Set(['cookie', 'set-cookie', 'proxy-authorization']);

export function redactForm(form: URLSearchParams): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of form) {
    fields[name] = SECRET_FORM_FIELDS.has(name) ? REDACTED : value;
  }
  return fields;
}

/** Keeps the scheme of Authorization (`Bearer`, `Basic`) and redacts the credential. */
export function redactHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    if (name === 'authorization') result[name] = redactAuthorization(value);
    else result[name] = SECRET_HEADERS.has(name) ? REDACTED : value;
  }
  return result;
}

function redactAuthorization(value: string): string {
  const scheme = /^(\S+)\s+\S/.exec(value);
  return scheme ? `${scheme[1]} ${REDACTED}` : REDACTED;
}
