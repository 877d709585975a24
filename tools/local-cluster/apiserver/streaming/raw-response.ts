// HTTP responses written straight to the socket of an upgrade request, which has no
// ServerResponse, followed by closing the connection.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { baseHeaders } from '../http';
import type { ApiError } from '../status';

export function writeRawResponse(socket: Duplex, code: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const payload = Buffer.from(body);
  const allHeaders: Record<string, string> = {
    ...baseHeaders(),
    'Content-Type': contentType,
    'Content-Length': String(payload.length),
    Connection: 'close',
    ...headers,
  };
  const head = [`HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}`, ...Object.entries(allHeaders).map(([name, value]) => `${name}: ${value}`)];
  socket.end(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), payload]));
}

/** Writes a Status error, which the API server sends for a request it rejects before the upgrade. */
export function writeRawError(socket: Duplex, error: ApiError): void {
  writeRawResponse(socket, error.status.code, 'application/json', JSON.stringify(error.status), error.headers);
}
