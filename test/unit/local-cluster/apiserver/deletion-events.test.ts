import assert from 'node:assert/strict';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { LocalApiServer } from '../../../../tools/local-cluster/apiserver/local-api-server';
import { failure, kubeConfigFor, simplePod, startTestServer, type TestServer, waitFor } from './helpers';

const NODE = 'local-node-1';

describe('local API server: deletion and events', () => {
  let test: TestServer;

  before(async () => {
    test = await startTestServer();
  });

  after(async () => {
    await test.server.stop();
  });

  async function scheduledPod(namespace: string, name: string): Promise<void> {
    await test.core.createNamespacedPod({ namespace, body: simplePod(name) });
    test.server.state.updatePodStatus(namespace, name, { phase: 'Running' }, NODE);
  }

  it('deletes a running pod gracefully through the kubelet', async () => {
    test.server.createNamespace('graceful');
    await scheduledPod('graceful', 'build');
    const deleted: V1Pod = await test.core.deleteNamespacedPod({ namespace: 'graceful', name: 'build' });
    assert.equal(deleted.metadata?.deletionGracePeriodSeconds, 30);
    assert.ok(deleted.metadata?.deletionTimestamp instanceof Date);
    assert.deepEqual(test.listener.deleting.map((entry) => [entry.pod.metadata?.name, entry.gracePeriodSeconds]), [['build', 30]]);
    const again: V1Pod = await test.core.deleteNamespacedPod({ namespace: 'graceful', name: 'build' });
    assert.equal(again.metadata?.deletionGracePeriodSeconds, 30);
    assert.equal(test.listener.deleting.length, 1);
    const shorter: V1Pod = await test.core.deleteNamespacedPod({ namespace: 'graceful', name: 'build', gracePeriodSeconds: 5 });
    assert.equal(shorter.metadata?.deletionGracePeriodSeconds, 5);
    assert.equal(test.listener.deleting.at(-1)?.gracePeriodSeconds, 5);
    const stillThere = await test.core.readNamespacedPod({ namespace: 'graceful', name: 'build' });
    assert.ok(stillThere.metadata?.deletionTimestamp);
    test.server.state.finalizePodDeletion('graceful', 'build');
    const { code } = await failure(test.core.readNamespacedPod({ namespace: 'graceful', name: 'build' }));
    assert.equal(code, 404);
  });

  it('deletes a pod without a node at once', async () => {
    test.server.createNamespace('unscheduled');
    await test.core.createNamespacedPod({ namespace: 'unscheduled', body: simplePod('waiting') });
    const deleted: V1Pod = await test.core.deleteNamespacedPod({ namespace: 'unscheduled', name: 'waiting' });
    assert.equal(deleted.metadata?.deletionGracePeriodSeconds, 0);
    assert.equal(test.listener.deleting.at(-1)?.gracePeriodSeconds, 0);
    assert.equal((await failure(test.core.readNamespacedPod({ namespace: 'unscheduled', name: 'waiting' }))).code, 404);
  });

  it('deletes at once with gracePeriodSeconds 0', async () => {
    test.server.createNamespace('forced');
    await scheduledPod('forced', 'build');
    await test.core.deleteNamespacedPod({ namespace: 'forced', name: 'build', gracePeriodSeconds: 0 });
    assert.deepEqual(test.server.listObjects('pods', 'forced'), []);
  });

  it('deletes pods at once without a kubelet', async () => {
    const bare = await LocalApiServer.start();
    try {
      const core = kubeConfigFor(bare.kubeconfig()).makeApiClient(CoreV1Api);
      await core.createNamespacedPod({ namespace: 'default', body: simplePod('lonely') });
      bare.state.updatePodStatus('default', 'lonely', { phase: 'Running' }, NODE);
      await core.deleteNamespacedPod({ namespace: 'default', name: 'lonely' });
      assert.deepEqual(bare.listObjects('pods'), []);
    } finally {
      await bare.stop();
    }
  });

  it('delete of a missing pod', async () => {
    const missing = await failure(test.core.deleteNamespacedPod({ namespace: 'default', name: 'ghost' }));
    assert.equal(missing.code, 404);
    assert.equal(missing.status.message, 'pods "ghost" not found');
  });

  it('delete with a wrong uid precondition', async () => {
    test.server.createNamespace('preconditions');
    await test.core.createNamespacedPod({ namespace: 'preconditions', body: simplePod('build') });
    const wrongUid = await failure(
      test.core.deleteNamespacedPod({ namespace: 'preconditions', name: 'build', body: { preconditions: { uid: 'other' } } }),
    );
    assert.equal(wrongUid.code, 409);
    assert.equal(wrongUid.status.reason, 'Conflict');
    assert.match(wrongUid.status.message, /^Operation cannot be fulfilled on pods "build": Precondition failed: UID in precondition: other, UID in object meta: /);
  });

  it('empties and removes a namespace being deleted', async () => {
    test.server.createNamespace('doomed');
    await scheduledPod('doomed', 'build');
    await test.core.createNamespacedSecret({ namespace: 'doomed', body: { metadata: { name: 'registry' }, stringData: { a: 'b' } } });
    // The API returns the Namespace here, although client-node types the response as V1Status.
    const answer = (await test.core.deleteNamespace({ name: 'doomed' })) as unknown as { kind?: string; status?: { phase?: string } };
    assert.equal(answer.status?.phase, 'Terminating');
    const terminating = await test.core.readNamespace({ name: 'doomed' });
    assert.equal(terminating.status?.phase, 'Terminating');
    assert.ok(terminating.metadata?.deletionTimestamp);

    const blocked = await failure(test.core.createNamespacedSecret({ namespace: 'doomed', body: { metadata: { name: 'late' } } }));
    assert.equal(blocked.code, 403);
    assert.equal(blocked.status.message, 'secrets "late" is forbidden: unable to create new content in namespace doomed because it is being terminated');
    assert.deepEqual(blocked.status.details?.causes, [
      { reason: 'NamespaceTerminating', message: 'namespace doomed is being terminated', field: 'metadata.namespace' },
    ]);
    const twice = await failure(test.core.deleteNamespace({ name: 'doomed' }));
    assert.equal(twice.code, 409);

    await waitFor(() => test.listener.deleting.some((entry) => entry.pod.metadata?.namespace === 'doomed'), 'the pod deletion');
    assert.deepEqual(test.server.listObjects('secrets', 'doomed'), []);
    assert.ok(test.server.listObjects('namespaces').some((namespace) => namespace.metadata.name === 'doomed'));
    test.server.state.finalizePodDeletion('doomed', 'build');
    const removed = await failure(test.core.readNamespace({ name: 'doomed' }));
    assert.equal(removed.code, 404);
  });

  it('deletes a collection of Secrets by label', async () => {
    test.server.createNamespace('collection');
    for (const [name, run] of [['a', '1'], ['b', '1'], ['c', '2']]) {
      await test.core.createNamespacedSecret({ namespace: 'collection', body: { metadata: { name, labels: { run } } } });
    }
    const deleted = await test.core.deleteCollectionNamespacedSecret({ namespace: 'collection', labelSelector: 'run=1' });
    assert.equal(deleted.status, undefined);
    const left = test.server.listObjects('secrets', 'collection').map((secret) => secret.metadata.name);
    assert.deepEqual(left, ['c']);
  });

  it('records pod events and counts repeats', async () => {
    test.server.createNamespace('events');
    await scheduledPod('events', 'build');
    await test.core.createNamespacedPod({ namespace: 'events', body: simplePod('other') });
    test.server.state.recordEvent('events', 'build', 'Normal', 'Scheduled', 'Successfully assigned events/build to local-node-1');
    test.server.state.recordEvent('events', 'build', 'Warning', 'BackOff', 'Back-off pulling image');
    test.server.state.recordEvent('events', 'build', 'Warning', 'BackOff', 'Back-off pulling image');
    test.server.state.recordEvent('events', 'other', 'Normal', 'Pulled', 'Pulled');
    const events = await test.core.listNamespacedEvent({ namespace: 'events', fieldSelector: 'involvedObject.name=build' });
    const summary = events.items.map((event) => [event.reason, event.type, event.count, event.source?.component]);
    assert.deepEqual(summary.sort(), [
      ['BackOff', 'Warning', 2, 'kubelet'],
      ['Scheduled', 'Normal', 1, 'default-scheduler'],
    ]);
    const pod = await test.core.readNamespacedPod({ namespace: 'events', name: 'build' });
    assert.equal(events.items[0].involvedObject.uid, pod.metadata?.uid);
    assert.match(events.items[0].metadata?.name ?? '', /^build\.[0-9a-f]+$/);
  });
});
