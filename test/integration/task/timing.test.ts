// When the build step shows its first line and when it ends. The first line names the image and
// comes before the task sends any request. The step ends soon after the kaniko container, with
// every line of its log shown once and in order.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { hasNode24, node24Path } from '../../../tools/node24/path';
import { assertNothingLeft, runBuild, type BuildScenario } from './harness';

const FIRST_LINE = /^Kaniko Build on AKS \d+\.\d+\.\d+: building registry\.stand-in\.test\/samples\/flask-app with the tags 4711, latest from Dockerfile in the build context \/.+\.$/;
const STEP_COUNT = 30;
const STEPS = Array.from({ length: STEP_COUNT }, (_, step) => `RUN echo step ${step + 1} of ${STEP_COUNT}\n`).join('');
/**
 * The maximum time from the arrival of kaniko's last log line to the end of the step. The log
 * follower pauses 500 ms before it opens a stream again, so a run that waits for that pause
 * after the container ended takes longer.
 */
const END_LIMIT_MS = 400;

/** A TCP server on 127.0.0.1 that accepts connections and never responds, like an API server behind a stalled proxy. */
interface SilentServer {
  url: string;
  /** When the first connection arrived, in milliseconds since the epoch. */
  firstConnectionAt?: number;
  /** Aborts when the first connection arrives. */
  connected: AbortSignal;
  stop(): Promise<void>;
}

async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<net.Socket>();
  const connection = new AbortController();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    silent.firstConnectionAt ??= Date.now();
    connection.abort();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const silent: SilentServer = {
    url: `127.0.0.1:${port}`,
    connected: connection.signal,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return silent;
}

function silentKubeconfig(server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: silent',
    '  cluster:',
    `    server: https://${server}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: builder',
    '  user:',
    '    token: token-for-a-server-that-never-answers',
    'contexts:',
    '- name: silent',
    '  context:',
    '    cluster: silent',
    '    user: builder',
    'current-context: silent',
    '',
  ].join('\n');
}

const NODES: { name: string; available: () => boolean; path: () => string | undefined }[] = [
  { name: 'Node 20', available: () => true, path: () => undefined },
  { name: 'Node 24', available: hasNode24, path: node24Path },
];

describe('KanikoBuild start and end timing', function () {
  this.timeout(120_000);

  for (const node of NODES) {
    it(`first line before any request (${node.name})`, async function () {
      if (!node.available()) this.skip();
      const silent = await startSilentServer();
      const lines: { text: string; at: number }[] = [];
      try {
        // Both the cluster and the blob endpoint are the silent server, so whichever the task
        // contacts first, the server records the connection.
        const build = await runBuild({
          nodePath: node.path(),
          clusterEndpoint: {
            url: `https://${silent.url}`, scheme: 'Kubeconfig',
            parameters: { kubeconfig: silentKubeconfig(silent.url) }, data: { authorizationType: 'Kubeconfig' },
          },
          inputs: { storageBlobEndpoint: `http://${silent.url}/devstoreaccount1` },
          cancel: { signal: silent.connected },
          signalTimeouts: { sigintTimeoutMs: 5_000, sigtermTimeoutMs: 1_000 },
          onLine: (text) => lines.push({ text, at: Date.now() }),
        });

        assert.equal(build.run.result, 'Canceled', build.run.log.join('\n'));
        assert.ok(silent.firstConnectionAt !== undefined, 'the task sent no request');
        assert.match(lines[0]?.text ?? '', FIRST_LINE);
        assert.ok(lines[0].at < silent.firstConnectionAt,
          `the first line came ${lines[0].at - silent.firstConnectionAt} ms after the first connection`);
        await assertNothingLeft(build);
      } finally {
        await silent.stop();
      }
    });
  }

  it('step ends soon after the build', async () => {
    const lines: { text: string; at: number }[] = [];
    const scenario: BuildScenario = {
      files: { Dockerfile: `FROM alpine:3.20\n${STEPS}` },
      onLine: (text) => lines.push({ text, at: Date.now() }),
    };
    const build = await runBuild(scenario);
    const endedAt = Date.now();

    assert.equal(build.run.result, 'Succeeded', build.run.log.join('\n'));
    const texts = lines.map((line) => line.text);
    const groupStart = texts.findIndex((text) => text.startsWith('##[group]kaniko build log'));
    const groupEnd = texts.indexOf('##[endgroup]', groupStart);
    assert.ok(groupStart >= 0, `no build log group:\n${texts.join('\n')}`);
    assert.ok(groupEnd > groupStart + 1, `an empty or unclosed build log group:\n${texts.join('\n')}`);
    const lastLine = lines[groupEnd - 1];
    assert.match(lastLine.text, /msg="Pushed /);
    assert.ok(endedAt - lastLine.at < END_LIMIT_MS, `the step ended ${endedAt - lastLine.at} ms after kaniko's last line`);

    const echoed = texts.filter((text) => /^step \d+ of \d+$/.test(text));
    assert.deepEqual(echoed, Array.from({ length: STEP_COUNT }, (_, step) => `step ${step + 1} of ${STEP_COUNT}`));
    await assertNothingLeft(build);
  });

  it('builds on Node 24', async function () {
    if (!hasNode24()) this.skip();
    const build = await runBuild({ nodePath: node24Path() });

    assert.equal(build.run.result, 'Succeeded', build.run.log.join('\n'));
    assert.equal(build.run.handler, 'Node24');
    assert.doesNotMatch(build.run.stderr, /punycode/);
    await assertNothingLeft(build);
  });
});
