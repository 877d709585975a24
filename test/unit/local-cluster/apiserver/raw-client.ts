// A bare HTTPS client for the fault tests. It shows dropped connections, cut streams, headers and
// bodies exactly as they arrive, where client libraries would retry or hide them.
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A response, or a connection that closed without one. `code` is the socket error, such as ECONNRESET. */
export type RawOutcome = { kind: 'response'; response: RawResponse } | { kind: 'dropped'; code: string };

export interface RawTarget {
  url: string;
  caPem: string;
  token: string;
}

/** Sends one request on a connection of its own and waits for the whole response or the drop. */
export function rawRequest(target: RawTarget, method: string, path: string, body?: unknown): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { Authorization: `Bearer ${target.token}` };
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    const call = request(`${target.url}${path}`, { method, ca: target.caPem, agent: false, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'dropped', code: error.code ?? error.message }));
      response.on('end', () => resolve({ kind: 'response', response: { status: response.statusCode ?? 0, headers: response.headers, body: text } }));
    });
    call.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'dropped', code: error.code ?? error.message }));
    call.end(payload);
  });
}

/** Returns the response of an outcome, or fails the test when the connection was dropped. */
export function responseOf(outcome: RawOutcome): RawResponse {
  if (outcome.kind === 'dropped') throw new Error(`The connection was dropped (${outcome.code}), but a response was expected.`);
  return outcome.response;
}

export interface RawStream {
  status: number;
  /** The bytes received so far. */
  received(): Buffer;
  /** Resolves with `end` after a clean end of the body, or `cut` when the connection closed before it. */
  closed: Promise<'end' | 'cut'>;
}

/** Opens a streamed GET (a watch or a followed log) and resolves once the headers arrived. */
export function openStream(target: RawTarget, path: string): Promise<RawStream> {
  return new Promise((resolve, reject) => {
    const call = request(`${target.url}${path}`, { ca: target.caPem, agent: false, headers: { Authorization: `Bearer ${target.token}` } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', () => undefined);
      const closed = new Promise<'end' | 'cut'>((settle) => response.on('close', () => settle(response.complete ? 'end' : 'cut')));
      resolve({ status: response.statusCode ?? 0, received: () => Buffer.concat(chunks), closed });
    });
    call.on('error', reject);
    call.end();
  });
}
