// Requests that ask to upgrade the connection (`Connection: Upgrade`). The API server
// authenticates and authorizes them as it does every request, checks pods/attach as
// AttachLocation does, and then streams it over WebSocket. Errors before the upgrade are
// HTTP responses with a Status body.
// Kubernetes 1.35 also requires `create` on pods/attach for a WebSocket upgrade through GET,
// besides the `get` that the method maps to (feature gate AuthorizePodWebsocketUpgradeCreatePermission,
// beta and on by default). The local cluster applies this stricter rule, so a Role that passes
// here passes on 1.34 too.
// NOTE: only pods/attach is served this way. The real API server also serves exec, port-forward,
// proxy and WebSocket watches, and SPDY upgrades.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { authorize, type TokenAuthenticator } from '../auth';
import { parseAttachOptions, resolveAttachContainer } from '../handlers/attach';
import { requestInfo } from '../request-info';
import { ApiError, badRequest, internalError, methodNotAllowed } from '../status';
import type { ClusterState } from '../store/cluster-state';
import { streamAttach } from './attach-stream';
import { writeRawError } from './raw-response';

export interface UpgradeContext {
  state: ClusterState;
  authenticator: TokenAuthenticator;
}

/** The subprotocol that carries a bearer token for clients that cannot set headers (k8s.io/apiserver authentication/request/websocket). */
const BEARER_PROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';
const ATTACH_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/attach$/;

/** Serves an upgrade request on its raw socket. */
export function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, context: UpgradeContext, baseUrl: string): void {
  try {
    routeUpgrade(request, socket, head, context, baseUrl);
  } catch (error) {
    if (error instanceof ApiError) {
      writeRawError(socket, error);
      return;
    }
    const failure = error instanceof Error ? error : new Error(String(error));
    console.error(`local-cluster: upgrade ${request.method} ${request.url} failed unexpectedly: ${failure.stack ?? failure.message}`);
    writeRawError(socket, internalError(failure.message));
  }
}

function routeUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, context: UpgradeContext, baseUrl: string): void {
  const url = new URL(request.url ?? '/', baseUrl || 'https://127.0.0.1');
  const webSocket = isWebSocketRequest(request);
  const { token, protocols } = webSocket ? readProtocols(request) : { token: undefined, protocols: [] };
  const authorization = request.headers.authorization ?? (token === undefined ? undefined : `Bearer ${token}`);
  const user = context.authenticator.authenticate(authorization);
  const method = request.method ?? 'GET';
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const info = requestInfo(method, path, url.searchParams);
  authorize(user, info);

  const match = ATTACH_PATH.exec(path);
  if (!match) throw badRequest(`the local cluster serves upgrade requests only for pods/attach, not ${path}`);
  if (method !== 'GET' && method !== 'POST') throw methodNotAllowed();
  if (webSocket && method === 'GET') authorize(user, { ...info, verb: 'create' });
  const [namespace, pod] = [decodeURIComponent(match[1]), decodeURIComponent(match[2])];
  const options = parseAttachOptions(url.searchParams);
  const container = resolveAttachContainer(context.state, namespace, pod, options.container);
  if (!webSocket) {
    throw badRequest(`the local cluster streams attach over WebSocket only, not ${JSON.stringify(request.headers.upgrade ?? '')}`);
  }
  const listener = context.state.listener;
  streamAttach({
    request, socket, head, protocols, namespace, pod, container, options,
    attachContainer: listener?.attachContainer ? (attach) => listener.attachContainer!(attach) : undefined,
  });
}

function isWebSocketRequest(request: IncomingMessage): boolean {
  const connection = (request.headers.connection ?? '').toLowerCase();
  return connection.split(',').some((part) => part.trim() === 'upgrade') && (request.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

/** Splits the offered subprotocols from a bearer token protocol; 401 for a malformed one, as the authenticator rejects it. */
function readProtocols(request: IncomingMessage): { token?: string; protocols: string[] } {
  const header = request.headers['sec-websocket-protocol'] ?? '';
  const offered = header.split(',').map((protocol) => protocol.trim()).filter((protocol) => protocol !== '');
  const protocols = offered.filter((protocol) => !protocol.startsWith(BEARER_PROTOCOL_PREFIX));
  const tokens = offered.filter((protocol) => protocol.startsWith(BEARER_PROTOCOL_PREFIX));
  if (tokens.length === 0) return { protocols };
  const encoded = tokens[0].slice(BEARER_PROTOCOL_PREFIX.length);
  const valid = tokens.length === 1 && protocols.length > 0 && /^[A-Za-z0-9_-]+$/.test(encoded);
  return { token: valid ? Buffer.from(encoded, 'base64url').toString('utf8') : '', protocols };
}
