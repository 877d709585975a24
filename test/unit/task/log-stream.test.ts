// openLogStream against a plain HTTP server on 127.0.0.1 that ends a log response cleanly or
// breaks it off, as a dropped connection does.
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { KubeConfig } from '@kubernetes/client-node';
import { openLogStream } from '../../../tasks/KanikoBuildV1/src/kubernetes/log-stream';

const TARGET = { namespace: 'builds', pod: 'kaniko-1-abcd', container: 'kaniko' };

describe('kubernetes: openLogStream', () => {
  let server: Server;
  let config: KubeConfig;
  let breakOff = false;

  before(async () => {
    server = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('2024-05-01T10:00:00Z first line\n2024-05-01T10:00:01Z second');
      if (breakOff) setImmediate(() => request.socket.destroy());
      else response.end(' line\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'local', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'user', token: 'not-a-secret' }],
      contexts: [{ name: 'local', cluster: 'local', user: 'user' }],
      currentContext: 'local',
    });
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function read(): Promise<{ text: string; error?: Error }> {
    const sink = new PassThrough();
    let text = '';
    sink.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    await openLogStream(config, TARGET, sink);
    return new Promise((resolve) => {
      sink.once('end', () => resolve({ text }));
      sink.once('error', (error) => resolve({ text, error }));
    });
  }

  it('a complete response ends the sink', async () => {
    breakOff = false;
    const { text, error } = await read();

    assert.equal(error, undefined);
    assert.equal(text, '2024-05-01T10:00:00Z first line\n2024-05-01T10:00:01Z second line\n');
  });

  it('a broken-off response fails the sink', async () => {
    breakOff = true;
    const { text, error } = await read();

    assert.equal((error as { code?: string } | undefined)?.code, 'ECONNRESET');
    assert.equal(text, '2024-05-01T10:00:00Z first line\n2024-05-01T10:00:01Z second');
  });
});
