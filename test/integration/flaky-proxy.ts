// An HTTP or HTTPS proxy on 127.0.0.1 that forwards to one stand-in (Azurite or the local API
// server) and fails the requests a test picks. It can respond with a status code, drop the
// connection before or after the stand-in handled the request, delay the request, or cut the
// response. It reads every request in clear text, because it terminates TLS itself with a
// certificate of its own CA.
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { generateServerCertificates } from '../../tools/local-cluster/apiserver/certificates';

/** What the proxy does with one request. */
export type Fault =
  | { kind: 'pass' }
  /** Responds with this status and a Kubernetes-style Status body, without forwarding. */
  | { kind: 'status'; code: number; retryAfterSeconds?: number }
  /** Reads the request and closes the connection without forwarding it. */
  | { kind: 'drop' }
  /** Forwards the request, waits for the whole response, then closes the connection instead of passing the response on. */
  | { kind: 'drop-after' }
  /** Forwards the request after this many milliseconds, unless the client has closed the connection by then. */
  | { kind: 'delay'; ms: number }
  /**
   * Forwards the request and streams the response until `text` arrives, then passes on the part
   * of the response before `text` and its first `keep` characters, and closes the connection.
   */
  | { kind: 'cut'; text: string; keep: number };

export interface ProxiedRequest {
  method: string;
  /** Path and query string, such as `/api/v1/namespaces/builds/pods?watch=true`. */
  path: string;
  headers: IncomingMessage['headers'];
}

export interface FlakyProxyOptions {
  /** The stand-in's base URL; only its origin is used. */
  target: string;
  /** The CA that the stand-in's HTTPS certificate is signed with. */
  targetCaPem?: string;
  /** Serves HTTPS with a certificate of a new CA (see `caPem`) instead of plain HTTP. */
  tls?: boolean;
  /** Picks the fault for each request; default pass everything. */
  decide?: (request: ProxiedRequest) => Fault;
}

export interface FlakyProxy {
  /** Such as `https://127.0.0.1:41234`. */
  url: string;
  /** PEM of the CA that signed the proxy's certificate, with `tls`. */
  caPem?: string;
  /** Every request, with the fault it got, in arrival order. */
  readonly log: { request: ProxiedRequest; fault: Fault }[];
  /** Replaces the decision function. */
  setDecide(decide: (request: ProxiedRequest) => Fault): void;
  stop(): Promise<void>;
}

export async function startFlakyProxy(options: FlakyProxyOptions): Promise<FlakyProxy> {
  const target = new URL(options.target);
  const certificates = options.tls ? generateServerCertificates() : undefined;
  const log: FlakyProxy['log'] = [];
  let decide = options.decide ?? ((): Fault => ({ kind: 'pass' }));
  const sockets = new Set<Socket>();
  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    const proxied = { method: request.method ?? 'GET', path: request.url ?? '/', headers: request.headers };
    const fault = decide(proxied);
    log.push({ request: proxied, fault });
    void applyFault(fault, request, response, target, options.targetCaPem);
  };
  const server: Server = certificates
    ? createHttpsServer({ key: certificates.keyPem, cert: certificates.certPem }, handler)
    : createHttpServer(handler);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${certificates ? 'https' : 'http'}://127.0.0.1:${port}`,
    caPem: certificates?.caPem,
    log,
    setDecide: (next) => {
      decide = next;
    },
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

async function applyFault(fault: Fault, request: IncomingMessage, response: ServerResponse, target: URL, caPem?: string): Promise<void> {
  switch (fault.kind) {
    case 'status': {
      await readAll(request);
      const body = JSON.stringify({
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `injected by the test proxy: HTTP ${fault.code}`,
        reason: fault.code === 429 ? 'TooManyRequests' : 'ServiceUnavailable', code: fault.code,
      });
      const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) };
      if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
      response.writeHead(fault.code, headers);
      response.end(body);
      return;
    }
    case 'drop':
      await readAll(request);
      request.socket.destroy();
      return;
    case 'delay': {
      let clientClosed = false;
      response.once('close', () => {
        clientClosed = true;
      });
      await new Promise((resolve) => setTimeout(resolve, fault.ms).unref());
      if (!clientClosed) forward(request, response, target, caPem, false);
      return;
    }
    case 'cut':
      forward(request, response, target, caPem, false, fault);
      return;
    default:
      forward(request, response, target, caPem, fault.kind === 'drop-after');
  }
}

/**
 * Sends the request on to the stand-in and streams its response back, or drops the connection
 * once it is complete, or cuts it at `cut.text`.
 */
function forward(
  request: IncomingMessage, response: ServerResponse, target: URL, caPem: string | undefined, dropAfter: boolean,
  cut?: { text: string; keep: number },
): void {
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const upstream = send(new URL(request.url ?? '/', target.origin), {
    method: request.method,
    headers: { ...request.headers, host: target.host },
    ca: caPem,
  }, (answer) => {
    if (dropAfter) {
      void readAll(answer).then(() => request.socket.destroy());
      return;
    }
    // The headers go on at once, as a streaming proxy sends them: a watch's first body bytes may come much later.
    response.writeHead(answer.statusCode ?? 502, answer.headers);
    response.flushHeaders();
    if (cut) {
      cutResponse(answer, response, cut);
      return;
    }
    answer.pipe(response);
    answer.on('error', () => response.destroy());
  });
  upstream.on('error', () => response.destroy());
  response.on('close', () => upstream.destroy());
  request.pipe(upstream);
}

/** Passes the response on until `cut.text` arrives, then its start, then closes the connection. */
function cutResponse(answer: IncomingMessage, response: ServerResponse, cut: { text: string; keep: number }): void {
  let seen = '';
  answer.setEncoding('utf8');
  answer.on('data', (chunk: string) => {
    const at = (seen + chunk).indexOf(cut.text);
    if (at < 0) {
      seen += chunk;
      response.write(chunk);
      return;
    }
    answer.destroy();
    response.write((seen + chunk).slice(seen.length, at + cut.keep), () => response.socket?.destroy());
  });
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
