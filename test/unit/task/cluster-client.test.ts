// createClusterApi against an HTTPS server that accepts requests and never responds: an abort
// must end every kind of call at once, also before the server has sent response headers.
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { generateServerCertificates } from '../../../tools/local-cluster/apiserver/certificates';
import { buildKubeconfig } from '../../../tools/local-cluster/apiserver/kubeconfig';
import { createClusterApi, type ClusterApi } from '../../../tasks/KanikoBuildV1/src/kubernetes/client';

const ABORT_AFTER_MS = 50;
/** A limit that is generous for a slow machine, and far below the hang that the test would otherwise see. */
const PROMPT_MS = 1_500;

describe('kubernetes: createClusterApi with a silent server', function () {
  this.timeout(10_000);
  let server: Server;
  let api: ClusterApi;
  const sockets = new Set<Socket>();
  const requests: string[] = [];

  before(async () => {
    const certificates = generateServerCertificates();
    server = createServer({ key: certificates.keyPem, cert: certificates.certPem }, (request) => {
      requests.push(`${request.method} ${request.url}`);
    });
    server.on('secureConnection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    server.on('upgrade', (request, socket: Socket) => {
      requests.push(`UPGRADE ${request.url}`);
      sockets.add(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    api = createClusterApi(buildKubeconfig({
      server: `https://127.0.0.1:${port}`, caPem: certificates.caPem, token: 'silent-server-token', userName: 'tester',
    }));
  });

  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Runs `call` with a signal that aborts after 50 ms, and returns how long the call took to settle. */
  async function timeAbort(call: (signal: AbortSignal) => Promise<unknown>): Promise<{ ms: number; outcome: 'resolved' | 'rejected' }> {
    const signal = AbortSignal.timeout(ABORT_AFTER_MS);
    const started = Date.now();
    const outcome = await call(signal).then(() => 'resolved' as const, () => 'rejected' as const);
    return { ms: Date.now() - started, outcome };
  }

  it('a watch ends on abort before the headers', async () => {
    const { ms, outcome } = await timeAbort((signal) => api.watchPod('builds', 'kaniko-1', '5', () => undefined, signal));

    assert.equal(outcome, 'resolved');
    assert.ok(ms < PROMPT_MS, `the watch took ${ms} ms to end`);
    assert.ok(requests.some((request) => request.includes('watch=true')), requests.join('\n'));
  });

  it('a log stream ends on abort before the headers', async () => {
    const { ms, outcome } = await timeAbort((signal) => api.streamLog('builds', 'kaniko-1', 'kaniko', new PassThrough(), undefined, signal));

    assert.equal(outcome, 'rejected');
    assert.ok(ms < PROMPT_MS, `the log request took ${ms} ms to end`);
    assert.ok(requests.some((request) => request.includes('/log?')), requests.join('\n'));
  });

  it('an attach ends on abort before the handshake', async () => {
    const { ms, outcome } = await timeAbort((signal) => api.attachStdin('builds', 'kaniko-1', 'kaniko', Readable.from([Buffer.from('context')]), signal));

    assert.equal(outcome, 'rejected');
    assert.ok(ms < PROMPT_MS, `the attach took ${ms} ms to end`);
    assert.ok(requests.some((request) => request.startsWith('UPGRADE ') && request.includes('/attach?')), requests.join('\n'));
  });

  it('a plain call ends on abort', async () => {
    const { ms, outcome } = await timeAbort((signal) => api.readPod('builds', 'kaniko-1', signal));

    assert.equal(outcome, 'rejected');
    assert.ok(ms < PROMPT_MS, `the read took ${ms} ms to end`);
  });
});
