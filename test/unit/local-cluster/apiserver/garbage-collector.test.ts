// The garbage collector. Dependents go shortly after their last owner is gone, which means that no
// object has the reference's kind, name and uid. They stay while an owner lives, when the owner's
// kind is unknown, or when the owner was deleted with propagationPolicy Orphan.
import assert from 'node:assert/strict';
import type { V1OwnerReference, V1Pod } from '@kubernetes/client-node';
import { failure, simplePod, startTestServer, type TestServer, waitFor } from './helpers';

const GC_DELAY_MS = 20;

describe('local API server: garbage collector', () => {
  let test: TestServer;
  let counter = 0;

  before(async () => {
    test = await startTestServer({ garbageCollectionDelayMs: GC_DELAY_MS });
  });

  after(async () => {
    await test.server.stop();
  });

  function freshNamespace(): string {
    counter += 1;
    const namespace = `gc-${counter}`;
    test.server.createNamespace(namespace);
    return namespace;
  }

  function podReference(pod: V1Pod): V1OwnerReference {
    return { apiVersion: 'v1', kind: 'Pod', name: pod.metadata!.name!, uid: pod.metadata!.uid! };
  }

  async function ownedSecret(namespace: string, name: string, ownerReferences: V1OwnerReference[]): Promise<void> {
    await test.core.createNamespacedSecret({ namespace, body: { metadata: { name, ownerReferences }, data: { key: 'dmFsdWU=' } } });
  }

  function secretExists(namespace: string, name: string): boolean {
    return test.server.state.objects.get('secrets', namespace, name) !== undefined;
  }

  /** Waits several sweeps, so that a dependent that should stay had every chance to go. */
  async function settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, GC_DELAY_MS * 5));
  }

  it('deletes a Secret after its pod is gone', async () => {
    const namespace = freshNamespace();
    const pod = await test.core.createNamespacedPod({ namespace, body: simplePod('build') });
    await ownedSecret(namespace, 'build-registry', [podReference(pod)]);
    await settle();
    assert.ok(secretExists(namespace, 'build-registry'), 'the Secret went while its pod lived');

    // A pod that no node runs is removed at once.
    await test.core.deleteNamespacedPod({ namespace, name: 'build' });
    await waitFor(() => !secretExists(namespace, 'build-registry'), 'the Secret to be collected');
  });

  it('waits until a terminating pod is removed', async () => {
    const namespace = freshNamespace();
    const pod = await test.core.createNamespacedPod({ namespace, body: simplePod('build') });
    test.server.state.updatePodStatus(namespace, 'build', { phase: 'Running' }, 'local-node-1');
    await ownedSecret(namespace, 'build-registry', [podReference(pod)]);

    await test.core.deleteNamespacedPod({ namespace, name: 'build' });
    await settle();
    assert.ok(secretExists(namespace, 'build-registry'), 'the Secret went before the pod was removed');
    test.server.state.finalizePodDeletion(namespace, 'build');
    await waitFor(() => !secretExists(namespace, 'build-registry'), 'the Secret to be collected');
  });

  it('an owner with another uid is gone', async () => {
    const namespace = freshNamespace();
    const first = await test.core.createNamespacedPod({ namespace, body: simplePod('build') });
    await test.core.deleteNamespacedPod({ namespace, name: 'build' });
    await test.core.createNamespacedPod({ namespace, body: simplePod('build') });
    await ownedSecret(namespace, 'stale-owner', [podReference(first)]);

    await waitFor(() => !secretExists(namespace, 'stale-owner'), 'the Secret of the replaced pod to be collected');
  });

  it('a Secret created for a missing owner goes', async () => {
    const namespace = freshNamespace();
    await ownedSecret(namespace, 'orphan', [{ apiVersion: 'v1', kind: 'Pod', name: 'never', uid: '1b2c3d4e-0000-4000-8000-000000000001' }]);

    await waitFor(() => !secretExists(namespace, 'orphan'), 'the Secret without owner to be collected');
  });

  it('the owner is looked up in the dependent namespace', async () => {
    const namespace = freshNamespace();
    const elsewhere = freshNamespace();
    const pod = await test.core.createNamespacedPod({ namespace: elsewhere, body: simplePod('build') });
    await ownedSecret(namespace, 'cross-namespace', [podReference(pod)]);

    await waitFor(() => !secretExists(namespace, 'cross-namespace'), 'the Secret whose owner is in another namespace to be collected');
  });

  it('a live owner keeps the Secret and loses the gone one', async () => {
    const namespace = freshNamespace();
    const live = await test.core.createNamespacedPod({ namespace, body: simplePod('live') });
    const gone = await test.core.createNamespacedPod({ namespace, body: simplePod('gone') });
    await ownedSecret(namespace, 'shared', [podReference(live), podReference(gone)]);

    await test.core.deleteNamespacedPod({ namespace, name: 'gone' });
    await waitFor(() => {
      const references = (test.server.state.getSecret(namespace, 'shared')?.metadata?.ownerReferences ?? []);
      return references.length === 1;
    }, 'the reference to the gone pod to be removed');
    assert.deepEqual(test.server.state.getSecret(namespace, 'shared')?.metadata?.ownerReferences?.map((reference) => reference.name), ['live']);

    await test.core.deleteNamespacedPod({ namespace, name: 'live' });
    await waitFor(() => !secretExists(namespace, 'shared'), 'the Secret to be collected after its last owner');
  });

  it('an owner of an unknown kind keeps the Secret', async () => {
    const namespace = freshNamespace();
    await ownedSecret(namespace, 'deployment-owned', [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: '1b2c3d4e-0000-4000-8000-000000000002' }]);
    await settle();

    assert.ok(secretExists(namespace, 'deployment-owned'));
  });

  it('orphan propagation keeps the Secret', async () => {
    const namespace = freshNamespace();
    const pod = await test.core.createNamespacedPod({ namespace, body: simplePod('build') });
    await ownedSecret(namespace, 'kept', [podReference(pod)]);

    await test.core.deleteNamespacedPod({ namespace, name: 'build', propagationPolicy: 'Orphan' });
    await settle();

    assert.ok(secretExists(namespace, 'kept'));
    assert.deepEqual(test.server.state.getSecret(namespace, 'kept')?.metadata?.ownerReferences ?? [], []);
  });

  it('a pod owned by a Secret is deleted with it', async () => {
    const namespace = freshNamespace();
    const secret = await test.core.createNamespacedSecret({ namespace, body: { metadata: { name: 'owner' } } });
    const owned = simplePod('dependent-pod');
    owned.metadata!.ownerReferences = [{ apiVersion: 'v1', kind: 'Secret', name: 'owner', uid: secret.metadata!.uid! }];
    await test.core.createNamespacedPod({ namespace, body: owned });

    await test.core.deleteNamespacedSecret({ namespace, name: 'owner' });
    await waitFor(() => test.server.state.objects.get('pods', namespace, 'dependent-pod') === undefined, 'the pod to be collected');
    const { code } = await failure(test.core.readNamespacedPod({ namespace, name: 'dependent-pod' }));
    assert.equal(code, 404);
  });
});
