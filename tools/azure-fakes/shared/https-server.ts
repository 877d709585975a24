// One HTTPS listener on 127.0.0.1 for one fake service (plain HTTP for the instance metadata
// service, which Azure serves over HTTP only). It reads the whole request body, parses form
// bodies, passes a plain request object to the service's handler, writes the handler's
// response and records the exchange.
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ServerCertificates } from '../../local-cluster/apiserver/certificates';
import { redactForm, redactHeaders, type FakeService, type RecordedRequest } from './request-log';

export interface FakeRequest {
  method: string;
  /** The request URL on the server's own origin, whatever Host header the client sent. */
  url: URL;
  headers: IncomingHttpHeaders;
  /** The parsed body when Content-Type is `application/x-www-form-urlencoded`. */
  form: URLSearchParams | undefined;
  body: Buffer;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  /** A body sent as `application/json`. */
  json?: unknown;
  /** A body sent as is, with Content-Type set in `headers`. */
  text?: string;
}

export type FakeHandler = (request: FakeRequest) => FakeResponse | Promise<FakeResponse>;

/** Returns the first value of a request header (names are lower case). */
export function headerValue(request: FakeRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export interface FakeServerOptions {
  service: FakeService;
  certificates: ServerCertificates;
  /** The protocol, `https` unless given. Plain `http` ignores `certificates`. */
  transport?: 'https' | 'http';
  handler: FakeHandler;
  /** Receives every finished exchange. */
  record: (entry: RecordedRequest) => void;
  /** Receives one line per finished request. Leave it out for a silent server. */
  log?: (line: string) => void;
}

/** Request bodies of the protocols served here are small forms, far below 1 MiB. */
const MAX_BODY_BYTES = 1024 * 1024;

export class FakeHttpsServer {
  private constructor(
    private readonly server: Server,
    /** Base URL without a trailing slash, such as `https://127.0.0.1:41234` (`http://` for plain HTTP). */
    readonly url: string,
    /** `127.0.0.1:PORT`, the URL's host. */
    readonly host: string,
  ) {}

  /** Listens on a free port of 127.0.0.1. */
  static async start(options: FakeServerOptions): Promise<FakeHttpsServer> {
    const scheme = options.transport ?? 'https';
    const server = scheme === 'http'
      ? createHttpServer()
      : createHttpsServer({ key: options.certificates.keyPem, cert: options.certificates.certPem });
    let origin = `${scheme}://127.0.0.1`;
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      void serve(request, response, options, origin);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    origin = `${scheme}://127.0.0.1:${port}`;
    return new FakeHttpsServer(server, origin, `127.0.0.1:${port}`);
  }

  /** Stops listening and closes every open connection. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}

async function serve(incoming: IncomingMessage, response: ServerResponse, options: FakeServerOptions, origin: string): Promise<void> {
  const url = requestUrl(origin, incoming.url ?? '/');
  const method = incoming.method ?? 'GET';
  let form: URLSearchParams | undefined;
  let result: FakeResponse;
  try {
    const body = await readBody(incoming);
    if (body === undefined) {
      result = { status: 413, text: `Request bodies are limited to ${MAX_BODY_BYTES} bytes.` };
    } else {
      form = isForm(incoming.headers) ? new URLSearchParams(body.toString('utf8')) : undefined;
      result = await options.handler({ method, url, headers: incoming.headers, form, body });
    }
  } catch (error) {
    result = failureResponse(error, options.service, method, url);
  }
  writeResponse(response, result);
  options.record({
    service: options.service,
    method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: redactHeaders(incoming.headers),
    ...(form ? { form: redactForm(form) } : {}),
    status: result.status,
  });
  options.log?.(`${options.service}: ${method} ${url.pathname} ${result.status}`);
}

/** Resolves the request target on the server's origin. Appending keeps that origin, even for `//other-host/x`. */
function requestUrl(origin: string, target: string): URL {
  try {
    return new URL(`${origin}${target.startsWith('/') ? target : `/${target}`}`);
  } catch {
    return new URL(`${origin}/`);
  }
}

/** Returns 400 for a path with invalid percent-encoding, and 500 (logged with its stack) for a bug in a fake. */
function failureResponse(error: unknown, service: FakeService, method: string, url: URL): FakeResponse {
  if (error instanceof URIError) return { status: 400, text: `The URL path ${url.pathname} contains invalid percent-encoding.` };
  const failure = error instanceof Error ? (error.stack ?? error.message) : String(error);
  console.error(`azure-fakes: ${service} ${method} ${url.pathname} failed unexpectedly: ${failure}`);
  return { status: 500, text: 'The fake failed unexpectedly; see the test output.' };
}

/** Reads the body, or returns undefined when it exceeds the limit (the rest is read and dropped). */
function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function isForm(headers: IncomingHttpHeaders): boolean {
  return (headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

function writeResponse(response: ServerResponse, result: FakeResponse): void {
  const headers: Record<string, string> = { 'Cache-Control': 'no-store, no-cache', ...result.headers };
  let payload = '';
  if (result.json !== undefined) {
    payload = JSON.stringify(result.json);
    headers['Content-Type'] = 'application/json; charset=utf-8';
  } else if (result.text !== undefined) {
    payload = result.text;
    headers['Content-Type'] ??= 'text/plain; charset=utf-8';
  }
  headers['Content-Length'] = String(Buffer.byteLength(payload));
  response.writeHead(result.status, headers);
  response.end(payload);
}
