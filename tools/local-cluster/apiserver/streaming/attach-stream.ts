// The streams of `pods/attach` over WebSocket, in the two ways a Kubernetes 1.34 cluster serves them:
// - A client that offers `v5.channel.k8s.io` gets the API server's stream translator
//   (staging/src/k8s.io/apiserver/pkg/util/proxy/streamtranslator.go): the upgrade succeeds
//   first, and a kubelet error arrives afterwards as a Status on the error channel.
// - Other clients are proxied to the kubelet, which checks the request before it upgrades, so
//   its errors are plain HTTP responses. The kubelet speaks `v4.channel.k8s.io` and older protocols.
// Each binary message starts with its channel: 0 stdin, 1 stdout, 2 stderr, 3 error (a Status
// in JSON), 4 terminal resize. In v5 a message [255, channel] closes that stream of the client.
// NOTE: the emulation serves none of the older protocols (`channel.k8s.io`, the base64 variants
// and no protocol at all). Such a request fails with a message that names the protocol.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { AttachSession, ContainerAttachRequest, ContainerAttachResult } from '../../contract';
import type { AttachOptions } from '../handlers/attach';
import { writeRawResponse } from './raw-response';

export const V5_PROTOCOL = 'v5.channel.k8s.io';
export const V4_PROTOCOL = 'v4.channel.k8s.io';
/** The protocols of the kubelet's WebSocket attach (pkg/kubelet/cri/streaming/remotecommand/websocket.go). */
const KUBELET_PROTOCOLS = ['', 'channel.k8s.io', 'base64.channel.k8s.io', V4_PROTOCOL, 'v4.base64.channel.k8s.io'];

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const CLOSE_SIGNAL = 255;

export interface AttachStreamRequest {
  request: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  /** The subprotocols the client offered, in its order, without a bearer token protocol. */
  protocols: string[];
  namespace: string;
  pod: string;
  container: string;
  options: AttachOptions;
  /** The kubelet's attach endpoint; undefined when the cluster has no kubelet. */
  attachContainer?: (request: ContainerAttachRequest) => ContainerAttachResult;
}

/** Upgrades the connection and attaches it to the container, or writes the HTTP error that ends it. */
export function streamAttach(stream: AttachStreamRequest): void {
  if (stream.protocols.includes(V5_PROTOCOL)) translateStreams(stream);
  else proxyToKubelet(stream);
}

/** Translates as the API server does: upgrade, announce the streams, then attach through the kubelet. */
function translateStreams(stream: AttachStreamRequest): void {
  upgrade(stream, V5_PROTOCOL, (socket) => {
    announce(socket, stream.options);
    const result = attachThroughKubelet(stream);
    if (!result.ok) {
      // The translator's SPDY client reports a failed upgrade to the kubelet in these words.
      sendStatus(socket, internalError(`unable to upgrade connection: ${result.message}`));
      socket.close(1000);
      return;
    }
    pipeSession(socket, result.session, true);
  });
}

/** Serves the request as the kubelet's own WebSocket server does, which checks it before it upgrades. */
function proxyToKubelet(stream: AttachStreamRequest): void {
  const result = attachThroughKubelet(stream);
  if (!result.ok) {
    writeRawResponse(stream.socket, result.httpStatus, 'text/plain; charset=utf-8', result.message);
    return;
  }
  const offered = stream.protocols.length > 0 ? stream.protocols : [''];
  const protocol = offered.find((candidate) => KUBELET_PROTOCOLS.includes(candidate));
  if (protocol === undefined) {
    // golang.org/x/net/websocket rejects a failed subprotocol negotiation with 403 and no body.
    result.session.cancel();
    writeRawResponse(stream.socket, 403, 'text/plain; charset=utf-8', '');
    return;
  }
  if (protocol !== V4_PROTOCOL) {
    result.session.cancel();
    const message = `the local cluster streams attach over ${V5_PROTOCOL} and ${V4_PROTOCOL}, not ${JSON.stringify(protocol)}`;
    writeRawResponse(stream.socket, 400, 'text/plain; charset=utf-8', message);
    return;
  }
  upgrade(stream, V4_PROTOCOL, (socket) => {
    announce(socket, stream.options);
    pipeSession(socket, result.session, false);
  });
}

function attachThroughKubelet(stream: AttachStreamRequest): ContainerAttachResult {
  if (!stream.attachContainer) {
    return { ok: false, httpStatus: 500, message: `container ${stream.container} not found in pod ${stream.pod}_${stream.namespace}` };
  }
  const { stdin, stdout, stderr, tty } = stream.options;
  return stream.attachContainer({ namespace: stream.namespace, pod: stream.pod, container: stream.container, stdin, stdout, stderr, tty });
}

function upgrade(stream: AttachStreamRequest, protocol: string, onOpen: (socket: WebSocket) => void): void {
  const server = new WebSocketServer({ noServer: true, clientTracking: false, handleProtocols: () => protocol });
  server.handleUpgrade(stream.request, stream.socket, stream.head, (socket) => onOpen(socket));
}

/** Sends an empty message on the lowest writable channel, the signal that the streams are ready. */
function announce(socket: WebSocket, options: AttachOptions): void {
  let channel = ERROR;
  if (options.stderr) channel = STDERR;
  if (options.stdout) channel = STDOUT;
  socket.send(Buffer.from([channel]));
}

/** Connects the session to the socket until the attach ends, then sends the final Status and closes. */
function pipeSession(socket: WebSocket, session: AttachSession, closeSignal: boolean): void {
  session.onOutput((stream, data) => {
    if (socket.readyState === socket.OPEN) socket.send(Buffer.concat([Buffer.from([stream === 'stdout' ? STDOUT : STDERR]), data]));
  });
  socket.on('message', (data: RawData, isBinary: boolean) => {
    const message = toBuffer(data);
    if (!isBinary || message.length === 0) return;
    const channel = message[0];
    if (channel === STDIN) session.writeStdin(message.subarray(1));
    else if (closeSignal && channel === CLOSE_SIGNAL && message[1] === STDIN) session.endStdin();
  });
  socket.on('close', () => session.cancel());
  socket.on('error', () => session.cancel());
  void session.finished.then(() => {
    if (socket.readyState !== socket.OPEN) return;
    sendStatus(socket, { metadata: {}, status: 'Success' });
    socket.close(1000);
  });
}

function sendStatus(socket: WebSocket, status: Record<string, unknown>): void {
  socket.send(Buffer.concat([Buffer.from([ERROR]), Buffer.from(JSON.stringify(status))]));
}

/** Returns apierrors.NewInternalError as Go's json.Marshal writes it: no kind or apiVersion, details before code. */
function internalError(message: string): Record<string, unknown> {
  return {
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${message}`,
    reason: 'InternalError',
    details: { causes: [{ message }] },
    code: 500,
  };
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
