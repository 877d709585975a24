// The HTTPS API server: TLS with its own CA, bearer-token authentication, injected faults,
// authorization, then discovery, health, /api/v1 and SelfSubjectAccessReview routes, and WebSocket upgrades for
// pods/attach. Errors become Status responses.
import { createServer, type Server } from 'node:https';
import { type IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { authorize, type ClusterUser, type TokenAuthenticator } from './auth';
import { generateServerCertificates } from './certificates';
import type { FaultInjector, StreamFaults } from './faults/injector';
import { isFaultTarget, requestKind } from './faults/targets';
import { ACCESS_REVIEW_PATH, serveAccessReview } from './handlers/access-review';
import { discoveryDocument, isHealthPath } from './handlers/discovery';
import { serveResource } from './handlers/resources';
import type { WatchSettings } from './handlers/watch';
import { sendError, sendJson, sendText } from './http';
import { type RequestInfo, requestInfo } from './request-info';
import { ApiError, internalError, methodNotAllowed, pathNotFound } from './status';
import type { ClusterState } from './store/cluster-state';
import { handleUpgrade } from './streaming/upgrade';

export interface ApiServerOptions {
  state: ClusterState;
  authenticator: TokenAuthenticator;
  watch: WatchSettings;
  /** Decides the faults of each request. It injects none until a plan is set. */
  faults: FaultInjector;
  /** Whether the server serves SelfSubjectAccessReview (authorization.k8s.io/v1); default true. */
  authorizationApi?: boolean;
  /** Receives one line per finished request; leave it out for a silent server. */
  debugLog?: (line: string) => void;
}

export class ApiServer {
  private constructor(
    private readonly server: Server,
    /** The server's base URL, such as `https://127.0.0.1:41234`. */
    readonly url: string,
    /** PEM of the CA that signed the server certificate. */
    readonly caPem: string,
    /** Upgraded connections, which closing the HTTP server does not end. */
    private readonly upgradedSockets: Set<Duplex>,
  ) {}

  /** Generates certificates and listens on a free port of 127.0.0.1. */
  static async start(options: ApiServerOptions): Promise<ApiServer> {
    const certificates = generateServerCertificates();
    const server = createServer({ key: certificates.keyPem, cert: certificates.certPem });
    let url = '';
    const upgradedSockets = new Set<Duplex>();
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      void handleRequest(request, response, options, url);
    });
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      upgradedSockets.add(socket);
      socket.once('close', () => upgradedSockets.delete(socket));
      socket.on('error', () => socket.destroy());
      options.debugLog?.(`${request.method} ${request.url} upgrade`);
      handleUpgrade(request, socket, head, options, url);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    url = `https://127.0.0.1:${port}`;
    return new ApiServer(server, url, certificates.caPem, upgradedSockets);
  }

  /** Stops listening and closes every connection, open watches, log streams and attach sessions included. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const socket of this.upgradedSockets) socket.destroy();
    await closed;
  }
}

async function handleRequest(request: IncomingMessage, response: ServerResponse, options: ApiServerOptions, baseUrl: string): Promise<void> {
  const started = Date.now();
  const url = new URL(request.url ?? '/', baseUrl || 'https://127.0.0.1');
  if (options.debugLog) {
    const log = options.debugLog;
    response.once('close', () => log(`${request.method} ${url.pathname}${url.search} ${response.statusCode} ${Date.now() - started}ms`));
  }
  // A connection dropped after the server acted still runs the request, into a response that no socket carries.
  let target = response;
  try {
    const user = options.authenticator.authenticate(request.headers.authorization);
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const info = requestInfo(request.method ?? 'GET', path, url.searchParams);
    const faults = isFaultTarget(path, info)
      ? options.faults.decide(user.name, requestKind(request.method ?? 'GET', info, url.searchParams))
      : undefined;
    if (faults && faults.delayMs > 0) await sleep(faults.delayMs);
    const plain = faults?.plain;
    if (plain?.kind === 'respond') {
      plain.send(response);
      return;
    }
    if (plain?.kind === 'drop' && !plain.afterAction) {
      response.destroy();
      return;
    }
    if (plain?.kind === 'drop') target = new ServerResponse(request);
    authorize(user, info);
    await route(request, target, { url, path, info, user, streamFaults: faults?.stream }, options, baseUrl);
  } catch (error) {
    const apiError = error instanceof ApiError ? error : unexpected(error, request, url);
    if (!target.headersSent) sendError(target, apiError);
    else target.end();
  } finally {
    if (target !== response) response.destroy();
  }
}

interface RoutedRequest {
  url: URL;
  path: string;
  info: RequestInfo;
  user: ClusterUser;
  streamFaults?: StreamFaults;
}

async function route(request: IncomingMessage, response: ServerResponse, routed: RoutedRequest, options: ApiServerOptions, baseUrl: string): Promise<void> {
  const { url, path, info, user } = routed;
  const authorizationApi = options.authorizationApi ?? true;
  if (info.isResourceRequest && path.startsWith('/api/v1/')) {
    const segments = path.split('/').slice(3).map(decodeURIComponent);
    const context = { request, response, state: options.state, query: url.searchParams, settings: options.watch, streamFaults: routed.streamFaults };
    await serveResource(context, segments);
    return;
  }
  if (authorizationApi && path === ACCESS_REVIEW_PATH) {
    await serveAccessReview(request, response, user);
    return;
  }
  const document = discoveryDocument(path, new URL(baseUrl).host, authorizationApi);
  if (document === undefined && !isHealthPath(path)) throw pathNotFound();
  if (request.method !== 'GET' && request.method !== 'HEAD') throw methodNotAllowed();
  if (document === undefined) sendText(response, 200, 'ok');
  else sendJson(response, 200, document);
}

/** Logs a bug in the local cluster with its stack and returns it as a 500 InternalError. */
function unexpected(error: unknown, request: IncomingMessage, url: URL): ApiError {
  const failure = error instanceof Error ? error : new Error(String(error));
  console.error(`local-cluster: ${request.method} ${url.pathname} failed unexpectedly: ${failure.stack ?? failure.message}`);
  return internalError(failure.message);
}
