// Writes a stream into a running container's standard input through the Kubernetes attach API
// (a WebSocket with the channel protocols of k8s.io/apimachinery's wsstream), with
// back-pressure, so that a large archive never piles up in memory.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Readable } from 'node:stream';
import WebSocket from 'ws';

/** Frames waiting in the socket's buffer beyond this size pause the source. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const STDIN_CHANNEL = 0;
const STATUS_CHANNEL = 3;
const CLOSE_SIGNAL = 255;
/** The protocol that can signal the end of stdin without closing the socket (Kubernetes 1.30 and later). */
const V5_PROTOCOL = 'v5.channel.k8s.io';
const PROTOCOLS = [V5_PROTOCOL, 'v4.channel.k8s.io'];

export interface AttachTarget {
  namespace: string;
  pod: string;
  container: string;
}

/**
 * Sends `source` to the container's stdin and ends it; returns the bytes sent. Rejects when the
 * connection fails, the server reports a failure on the status channel, or `signal` aborts.
 */
export async function writeToStdin(config: KubeConfig, target: AttachTarget, source: Readable, signal: AbortSignal): Promise<number> {
  let statusFailure: Error | undefined;
  const query = new URLSearchParams({ container: target.container, stdin: 'true', stdout: 'false', stderr: 'false', tty: 'false' });
  const path = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/attach?${query}`;
  const socket = await connect(config, path, signal);
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary && data[0] === STATUS_CHANNEL) statusFailure = statusError(data.subarray(1)) ?? statusFailure;
  });

  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const abort = (): void => {
    source.destroy();
    socket.terminate();
  };
  signal.addEventListener('abort', abort, { once: true });
  try {
    let bytes = 0;
    for await (const chunk of source) {
      signal.throwIfAborted();
      if (statusFailure) throw statusFailure;
      if (socket.readyState !== socket.OPEN) throw new Error('the attach connection closed before the archive was sent');
      const data = chunk as Buffer;
      await send(socket, Buffer.concat([Buffer.from([STDIN_CHANNEL]), data]));
      bytes += data.length;
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) await drain(socket);
    }
    if (socket.protocol === V5_PROTOCOL) await send(socket, Buffer.from([CLOSE_SIGNAL, STDIN_CHANNEL]));
    socket.close();
    await closed;
    if (statusFailure) throw statusFailure;
    return bytes;
  } finally {
    signal.removeEventListener('abort', abort);
    if (socket.readyState === socket.OPEN) socket.terminate();
  }
}

/**
 * Opens the WebSocket with the kubeconfig's server, TLS settings and credentials. `signal`
 * also ends a handshake that the server leaves unanswered.
 */
async function connect(config: KubeConfig, path: string, signal: AbortSignal): Promise<WebSocket> {
  const server = config.getCurrentCluster()?.server ?? '';
  const url = `${server.replace(/^http/, 'ws').replace(/\/+$/, '')}${path}`;
  const options: WebSocket.ClientOptions = {};
  await config.applyToHTTPSOptions(options);
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, PROTOCOLS, options);
    const abort = (): void => {
      socket.terminate();
      reject(signal.reason);
    };
    signal.addEventListener('abort', abort, { once: true });
    socket.once('close', () => signal.removeEventListener('abort', abort));
    socket.once('open', () => {
      signal.removeEventListener('abort', abort);
      resolve(socket);
    });
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => { body += chunk.toString('utf8'); });
      response.on('end', () => reject(new Error(`HTTP ${response.statusCode}: ${statusMessage(body)}`)));
    });
    socket.once('error', reject);
  });
}

/** Returns the `message` of a Kubernetes `Status` body, or the start of the body. */
function statusMessage(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body.slice(0, 200);
  } catch {
    return body.slice(0, 200);
  }
}

function send(socket: WebSocket, frame: Buffer): Promise<void> {
  return new Promise((resolve, reject) => socket.send(frame, (error) => (error ? reject(error) : resolve())));
}

/** Waits until the socket has handed most of its buffered frames to the network. */
async function drain(socket: WebSocket): Promise<void> {
  while (socket.bufferedAmount > MAX_BUFFERED_BYTES / 2 && socket.readyState === socket.OPEN) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Returns the error of a `Status` that the server sent on the status channel, if it reports a failure. */
function statusError(data: Buffer): Error | undefined {
  // The server opens each channel with an empty frame.
  if (data.length === 0) return undefined;
  try {
    const status = JSON.parse(data.toString('utf8')) as { status?: string; message?: string };
    return status.status === 'Failure' ? new Error(status.message ?? 'the attach failed') : undefined;
  } catch {
    return new Error(`the attach reported: ${data.toString('utf8').slice(0, 200)}`);
  }
}
