// HTTP plumbing shared by the handlers: reading bounded request bodies and writing JSON,
// Status errors and the headers the API server sends with every response.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, requestEntityTooLarge } from './status';

/** The API server's limit for request bodies (3 MiB). */
export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

/** Reads the whole body; 413 when it is larger than the limit (the rest is read and dropped). */
export function readBody(request: IncomingMessage, limit = MAX_REQUEST_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on('end', () => (size > limit ? reject(requestEntityTooLarge(limit)) : resolve(Buffer.concat(chunks))));
    request.on('error', reject);
  });
}

/** Headers of every API response: an audit id and no caching. */
export function baseHeaders(): Record<string, string> {
  return { 'Audit-Id': randomUUID(), 'Cache-Control': 'no-cache, private' };
}

export function sendJson(response: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  response.writeHead(code, {
    ...baseHeaders(),
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(payload)),
    ...headers,
  });
  response.end(payload);
}

export function sendError(response: ServerResponse, error: ApiError): void {
  sendJson(response, error.status.code, error.status, error.headers);
}

export function sendText(response: ServerResponse, code: number, text: string): void {
  response.writeHead(code, { ...baseHeaders(), 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) });
  response.end(text);
}

/** Starts a streamed response (watch, followed log) and sends the headers at once. */
export function startStream(response: ServerResponse, contentType: string): void {
  response.writeHead(200, { ...baseHeaders(), 'Content-Type': contentType, 'Transfer-Encoding': 'chunked' });
  response.flushHeaders();
}
