// deleteSecretsWhenCreated: another client's clean-up that removes a Secret before its creator
// can use it, for tests of a build whose Secret disappears.
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from './helpers';

const NAMESPACE = 'vanishing';

describe('local API server: Secrets deleted when created', () => {
  let test: TestServer;

  before(async () => {
    test = await startTestServer();
    test.server.createNamespace(NAMESPACE);
  });

  after(async () => {
    await test.server.stop();
  });

  it('deletes a matching Secret before the next request', async () => {
    const stop = test.server.deleteSecretsWhenCreated((secret) => secret.metadata.name.endsWith('-storage'));
    try {
      const created = await test.core.createNamespacedSecret({ namespace: NAMESPACE, body: { metadata: { name: 'build-storage' } } });
      await assert.rejects(test.core.readNamespacedSecret({ namespace: NAMESPACE, name: 'build-storage' }), { code: 404 });
      assert.equal(created.metadata?.name, 'build-storage');

      await test.core.createNamespacedSecret({ namespace: NAMESPACE, body: { metadata: { name: 'build-registry' } } });
      const kept = await test.core.readNamespacedSecret({ namespace: NAMESPACE, name: 'build-registry' });
      assert.equal(kept.metadata?.name, 'build-registry');
    } finally {
      stop();
    }
  });

  it('stops deleting once stopped', async () => {
    test.server.deleteSecretsWhenCreated(() => true)();
    await test.core.createNamespacedSecret({ namespace: NAMESPACE, body: { metadata: { name: 'later-storage' } } });
    const kept = await test.core.readNamespacedSecret({ namespace: NAMESPACE, name: 'later-storage' });
    assert.equal(kept.metadata?.name, 'later-storage');
  });
});
