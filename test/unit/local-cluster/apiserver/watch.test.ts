import assert from 'node:assert/strict';
import { request } from 'node:https';
import { type KubernetesObject, Watch } from '@kubernetes/client-node';
import { simplePod, startTestServer, type TestServer, waitFor } from './helpers';

interface SeenEvent {
  type: string;
  name?: string;
  resourceVersion?: string;
  object: KubernetesObject & { status?: { phase?: string; reason?: string; code?: number; message?: string } };
}

interface RunningWatch {
  events: SeenEvent[];
  /** Resolves with the error passed to client-node's done callback when the stream ends. */
  ended: Promise<unknown>;
  abort(): void;
}

async function startWatch(test: TestServer, path: string, query: Record<string, string | number | boolean>): Promise<RunningWatch> {
  const events: SeenEvent[] = [];
  let finish: (error: unknown) => void = () => undefined;
  const ended = new Promise<unknown>((resolve) => (finish = resolve));
  const controller = await new Watch(test.config).watch(
    path,
    query,
    (type, object: SeenEvent['object']) => events.push({ type, name: object.metadata?.name, resourceVersion: object.metadata?.resourceVersion, object }),
    (error) => finish(error),
  );
  return { events, ended, abort: () => controller.abort() };
}

function runningStatus(phase: string) {
  return { phase, containerStatuses: [{ name: 'kaniko', image: 'x', imageID: '', ready: phase === 'Running', restartCount: 0, state: {} }] };
}

describe('local API server: watch', () => {
  let test: TestServer;
  let namespaceCount = 0;
  /** Each test works in a namespace of its own on the shared server. */
  let namespace = '';

  before(async () => {
    test = await startTestServer({ watchHistorySize: 5, bookmarkIntervalMs: 50 });
  });

  beforeEach(() => {
    namespaceCount += 1;
    namespace = `watch-${namespaceCount}`;
    test.server.createNamespace(namespace);
  });

  after(async () => {
    await test.server.stop();
  });

  it('starts with ADDED for current objects, then streams changes', async () => {
    await test.core.createNamespacedPod({ namespace, body: simplePod('existing') });
    const watch = await startWatch(test, `/api/v1/namespaces/${namespace}/pods`, {});
    await waitFor(() => watch.events.length === 1, 'the ADDED event of the existing pod');
    await test.core.createNamespacedPod({ namespace, body: simplePod('new') });
    test.server.state.updatePodStatus(namespace, 'new', runningStatus('Running'), 'local-node-1');
    await test.core.deleteNamespacedPod({ namespace, name: 'new' });
    await waitFor(() => watch.events.length === 4, 'the deletionTimestamp update');
    assert.ok(watch.events[3].object.metadata?.deletionTimestamp);
    test.server.state.finalizePodDeletion(namespace, 'new');
    await waitFor(() => watch.events.length === 5, 'the DELETED event');
    watch.abort();
    assert.deepEqual(
      watch.events.map((event) => `${event.type} ${event.name}`),
      ['ADDED existing', 'ADDED new', 'MODIFIED new', 'MODIFIED new', 'DELETED new'],
    );
    assert.equal(watch.events[2].object.status?.phase, 'Running');
  });

  it('follows one pod with fieldSelector metadata.name', async () => {
    const watch = await startWatch(test, `/api/v1/namespaces/${namespace}/pods`, { fieldSelector: 'metadata.name=target' });
    await test.core.createNamespacedPod({ namespace, body: simplePod('other') });
    await test.core.createNamespacedPod({ namespace, body: simplePod('target') });
    await waitFor(() => watch.events.length === 1, 'the ADDED event of the target');
    watch.abort();
    assert.deepEqual(watch.events.map((event) => event.name), ['target']);
  });

  it('replays changes after a resourceVersion', async () => {
    const list = await test.core.listNamespacedPod({ namespace });
    const from = list.metadata?.resourceVersion ?? '';
    await test.core.createNamespacedPod({ namespace, body: simplePod('later') });
    test.server.state.updatePodStatus(namespace, 'later', runningStatus('Running'), 'local-node-1');
    const watch = await startWatch(test, `/api/v1/namespaces/${namespace}/pods`, { resourceVersion: from });
    await waitFor(() => watch.events.length === 2, 'the replayed events');
    watch.abort();
    assert.deepEqual(watch.events.map((event) => event.type), ['ADDED', 'MODIFIED']);
    assert.ok(Number(watch.events[0].resourceVersion) > Number(from));
  });

  it('sends ERROR with 410 Expired for a resourceVersion older than the history', async () => {
    const from = (await test.core.listNamespacedPod({ namespace })).metadata?.resourceVersion ?? '';
    for (let i = 0; i < 7; i += 1) await test.core.createNamespacedPod({ namespace, body: simplePod(`p${i}`) });
    const watch = await startWatch(test, `/api/v1/namespaces/${namespace}/pods`, { resourceVersion: from });
    assert.equal(await watch.ended, null);
    assert.equal(watch.events.length, 1);
    const [error] = watch.events;
    assert.equal(error.type, 'ERROR');
    assert.equal(error.object.kind, 'Status');
    assert.equal(error.object.status as unknown, 'Failure');
    const status = error.object as unknown as { reason: string; code: number; message: string };
    assert.equal(status.reason, 'Expired');
    assert.equal(status.code, 410);
    assert.match(status.message, new RegExp(`^too old resource version: ${from} \\(\\d+\\)$`));
  });

  it('ends the stream after timeoutSeconds', async () => {
    const started = Date.now();
    const watch = await startWatch(test, `/api/v1/namespaces/${namespace}/pods`, { timeoutSeconds: 1 });
    assert.equal(await watch.ended, null);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 900, `ended after ${elapsed} ms`);
    assert.ok(elapsed < 3000, `ended after ${elapsed} ms`);
  });

  it('ends the stream at the server-side limit without timeoutSeconds', async () => {
    const limited = await startTestServer({ watchTimeoutSeconds: 1 });
    try {
      const watch = await startWatch(limited, '/api/v1/namespaces/default/pods', {});
      assert.equal(await watch.ended, null);
    } finally {
      await limited.server.stop();
    }
  });

  it('sends BOOKMARK events when allowed', async () => {
    const watch = await startWatch(test, `/api/v1/namespaces/${namespace}/pods`, { allowWatchBookmarks: true });
    await waitFor(() => watch.events.some((event) => event.type === 'BOOKMARK'), 'a bookmark');
    watch.abort();
    const bookmark = watch.events.find((event) => event.type === 'BOOKMARK');
    assert.equal(bookmark?.object.kind, 'Pod');
    assert.ok(Number(bookmark?.resourceVersion) > 0);
  });

  it('sends no BOOKMARK events unless allowed', async () => {
    const watch = await startWatch(test, `/api/v1/namespaces/${namespace}/pods`, {});
    await new Promise((resolve) => setTimeout(resolve, 150));
    watch.abort();
    assert.deepEqual(watch.events, []);
  });

  it('marks the end of initial events with sendInitialEvents', async () => {
    await test.core.createNamespacedPod({ namespace, body: simplePod('existing') });
    const watch = await startWatch(test, `/api/v1/namespaces/${namespace}/pods`, {
      sendInitialEvents: true,
      resourceVersionMatch: 'NotOlderThan',
      allowWatchBookmarks: true,
    });
    await waitFor(() => watch.events.length >= 2, 'the initial events');
    watch.abort();
    assert.deepEqual(watch.events.slice(0, 2).map((event) => event.type), ['ADDED', 'BOOKMARK']);
    assert.equal(watch.events[1].object.metadata?.annotations?.['k8s.io/initial-events-end'], 'true');
  });

  it('turns phase changes into ADDED and DELETED under a status.phase selector', async () => {
    await test.core.createNamespacedPod({ namespace, body: simplePod('phases') });
    const watch = await startWatch(test, `/api/v1/namespaces/${namespace}/pods`, { fieldSelector: 'status.phase=Running' });
    test.server.state.updatePodStatus(namespace, 'phases', runningStatus('Running'), 'local-node-1');
    test.server.state.updatePodStatus(namespace, 'phases', runningStatus('Running'));
    test.server.state.updatePodStatus(namespace, 'phases', runningStatus('Succeeded'));
    await waitFor(() => watch.events.length === 3, 'three events');
    watch.abort();
    assert.deepEqual(watch.events.map((event) => event.type), ['ADDED', 'MODIFIED', 'DELETED']);
    assert.equal(watch.events[2].object.status?.phase, 'Succeeded');
  });

  it('ignores changes after its timeout', async () => {
    // Enough events that the ended response cannot flush while the client does not read.
    const data = { blob: Buffer.alloc(64 * 1024, 1).toString('base64') };
    for (let index = 0; index < 200; index += 1) {
      await test.core.createNamespacedSecret({ namespace, body: { metadata: { name: `secret-${index}` }, data } });
    }
    const url = `${test.server.url}/api/v1/namespaces/${namespace}/secrets?watch=true&timeoutSeconds=1`;
    const complete = new Promise<boolean>((resolve, reject) => {
      const headers = { Authorization: `Bearer ${test.server.adminToken}` };
      const call = request(url, { ca: test.server.caPem, agent: false, headers }, (response) => {
        response.pause();
        response.on('close', () => resolve(response.complete));
        setTimeout(() => {
          const late = test.core.createNamespacedSecret({ namespace, body: { metadata: { name: 'late' }, data: { key: 'dmFsdWU=' } } });
          void late.then(() => response.resume(), reject);
        }, 1300);
      });
      call.on('error', reject);
      call.end();
    });
    assert.equal(await complete, true);
  });
});
