import assert from 'node:assert/strict';
import { type KubernetesObject, Watch } from '@kubernetes/client-node';
import { simplePod, startTestServer, type TestServer, waitFor } from './helpers';
import { responseOf, openStream, rawRequest, type RawTarget } from './raw-client';

const NAMESPACE = 'stream-faults';
const NODE = 'local-node-1';
const PODS = `/api/v1/namespaces/${NAMESPACE}/pods`;

function runningStatus() {
  const state = { running: { startedAt: new Date() } };
  return { phase: 'Running', containerStatuses: [{ name: 'kaniko', image: 'x', imageID: '', ready: true, restartCount: 0, state, containerID: 'containerd://kaniko' }] };
}

describe('local API server: injected faults of streams', () => {
  let test: TestServer;
  let builder: RawTarget;
  let podCount = 0;

  before(async () => {
    test = await startTestServer();
    test.server.createNamespace(NAMESPACE);
    builder = { url: test.server.url, caPem: test.server.caPem, token: test.server.addUser('builder', [{ verbs: ['*'], resources: ['*'] }]) };
  });

  afterEach(() => {
    test.server.setFaults(undefined);
  });

  after(async () => {
    await test.server.stop();
  });

  /** Creates a pod whose kaniko container runs and has the given log lines. */
  async function runningPod(lines: string[]): Promise<string> {
    podCount += 1;
    const name = `build-${podCount}`;
    await test.core.createNamespacedPod({ namespace: NAMESPACE, body: simplePod(name) });
    test.server.state.updatePodStatus(NAMESPACE, name, runningStatus(), NODE);
    for (const line of lines) test.server.state.appendLog(NAMESPACE, name, 'kaniko', line);
    return name;
  }

  it('cuts a watch without a clean end', async () => {
    test.server.setFaults({ seed: 1, cutWatch: { probability: 1, minMs: 150, maxMs: 150 } });
    const started = Date.now();
    const stream = await openStream(builder, `${PODS}?watch=true`);
    assert.equal(stream.status, 200);
    assert.equal(await stream.closed, 'cut');
    assert.ok(Date.now() - started >= 140, `cut after ${Date.now() - started} ms`);
    assert.equal(test.server.faultCounts().cutWatches, 1);
  });

  it('does not count a watch that ended before its cut', async () => {
    test.server.setFaults({ seed: 1, cutWatch: { probability: 1, minMs: 5000, maxMs: 6000 } });
    const stream = await openStream(builder, `${PODS}?watch=true&timeoutSeconds=1`);
    assert.equal(await stream.closed, 'end');
    assert.equal(test.server.faultCounts().cutWatches, 0);
  });

  it('expires a watch with an ERROR event', async () => {
    test.server.setFaults({ seed: 1, expireWatch: { probability: 1 } });
    const list = JSON.parse(responseOf(await rawRequest(builder, 'GET', PODS)).body) as { metadata: { resourceVersion: string } };
    const stream = await openStream(builder, `${PODS}?watch=true&resourceVersion=${list.metadata.resourceVersion}`);
    assert.equal(await stream.closed, 'end');
    const lines = stream.received().toString('utf8').trim().split('\n');
    assert.equal(lines.length, 1);
    const event = JSON.parse(lines[0]) as { type: string; object: { kind: string; code: number; reason: string; message: string } };
    assert.equal(event.type, 'ERROR');
    assert.equal(event.object.kind, 'Status');
    assert.equal(event.object.code, 410);
    assert.equal(event.object.reason, 'Expired');
    assert.match(event.object.message, new RegExp(`^too old resource version: ${list.metadata.resourceVersion} \\(\\d+\\)$`));
    assert.equal(test.server.faultCounts().expiredWatches, 1);
  });

  it('shows an expired watch to client-node as ERROR', async () => {
    test.server.setFaults({ seed: 1, users: ['local-cluster-admin'], expireWatch: { probability: 1 } });
    const events: Array<{ type: string; object: KubernetesObject & { code?: number } }> = [];
    const ended = new Promise<unknown>((resolve) => {
      void new Watch(test.config).watch(PODS, {}, (type, object: KubernetesObject & { code?: number }) => events.push({ type, object }), resolve);
    });
    await ended;
    assert.deepEqual(events.map((event) => [event.type, event.object.code]), [['ERROR', 410]]);
  });

  it('delays the start of a slow watch', async () => {
    test.server.setFaults({ seed: 1, slowResponse: { probability: 1, delayMs: 250 } });
    const started = Date.now();
    const stream = await openStream(builder, `${PODS}?watch=true&timeoutSeconds=1`);
    assert.ok(Date.now() - started >= 240, `headers after ${Date.now() - started} ms`);
    assert.equal(await stream.closed, 'end');
  });

  it('cuts a followed log mid-line and keeps the lines for sinceTime', async () => {
    const name = await runningPod(['first line of the build', 'second line of the build']);
    test.server.setFaults({ seed: 1, cutLog: { probability: 1, minBytes: 30, maxBytes: 30 } });
    const stream = await openStream(builder, `${PODS}/${name}/log?container=kaniko&follow=true`);
    assert.equal(await stream.closed, 'cut');
    assert.equal(stream.received().toString('utf8'), 'first line of the build\nsecond');
    assert.equal(test.server.faultCounts().cutLogs, 1);

    test.server.setFaults(undefined);
    const sinceTime = new Date(Date.now() - 60_000).toISOString();
    const resumed = responseOf(await rawRequest(builder, 'GET', `${PODS}/${name}/log?container=kaniko&timestamps=true&sinceTime=${sinceTime}`));
    const texts = resumed.body.trim().split('\n').map((line) => line.slice(line.indexOf(' ') + 1));
    assert.deepEqual(texts, ['first line of the build', 'second line of the build']);
  });

  it('cuts a log that grows while it is followed', async () => {
    const name = await runningPod(['one']);
    test.server.setFaults({ seed: 9, cutLog: { probability: 1, minBytes: 6, maxBytes: 6 } });
    const stream = await openStream(builder, `${PODS}/${name}/log?container=kaniko&follow=true`);
    await waitFor(() => stream.received().length === 4, 'the first line');
    test.server.state.appendLog(NAMESPACE, name, 'kaniko', 'two');
    assert.equal(await stream.closed, 'cut');
    assert.equal(stream.received().toString('utf8'), 'one\ntw');
  });

  it('ends a log cleanly that is shorter than its cut', async () => {
    const name = await runningPod(['short']);
    test.server.setFaults({ seed: 1, cutLog: { probability: 1, minBytes: 1000, maxBytes: 2000 } });
    const stream = await openStream(builder, `${PODS}/${name}/log?container=kaniko&follow=true`);
    test.server.state.endLog(NAMESPACE, name, 'kaniko');
    assert.equal(await stream.closed, 'end');
    assert.equal(stream.received().toString('utf8'), 'short\n');
    assert.equal(test.server.faultCounts().cutLogs, 0);
  });

  it('does not cut a log read without follow', async () => {
    const name = await runningPod(['a line that is long enough to cut']);
    test.server.setFaults({ seed: 1, cutLog: { probability: 1, minBytes: 3, maxBytes: 3 } });
    const response = responseOf(await rawRequest(builder, 'GET', `${PODS}/${name}/log?container=kaniko`));
    assert.equal(response.body, 'a line that is long enough to cut\n');
    assert.equal(test.server.faultCounts().cutLogs, 0);
  });
});
