import assert from 'node:assert/strict';
import type { V1Pod, V1Status } from '@kubernetes/client-node';
import { failure, simplePod, startTestServer, type TestServer } from './helpers';

describe('local API server: objects', () => {
  let test: TestServer;

  before(async () => {
    test = await startTestServer();
    test.server.createNamespace('builds');
  });

  after(async () => {
    await test.server.stop();
  });

  describe('namespaces', () => {
    it('has default and kube-system from the start', async () => {
      const names = (await test.core.listNamespace()).items.map((namespace) => namespace.metadata?.name);
      assert.ok(names.includes('default'));
      assert.ok(names.includes('kube-system'));
    });

    it('creates an Active namespace with the name label and finalizer', async () => {
      const created = await test.core.createNamespace({ body: { metadata: { name: 'team-a' } } });
      assert.equal(created.status?.phase, 'Active');
      assert.deepEqual(created.spec?.finalizers, ['kubernetes']);
      assert.equal(created.metadata?.labels?.['kubernetes.io/metadata.name'], 'team-a');
      assert.match(created.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
      const read = await test.core.readNamespace({ name: 'team-a' });
      assert.equal(read.metadata?.resourceVersion, created.metadata?.resourceVersion);
    });

    it('answers 409 AlreadyExists for a second namespace of that name', async () => {
      const { code, status } = await failure(test.core.createNamespace({ body: { metadata: { name: 'builds' } } }));
      assert.equal(code, 409);
      assert.equal(status.reason, 'AlreadyExists');
      assert.equal(status.message, 'namespaces "builds" already exists');
      assert.deepEqual(status.details, { name: 'builds', kind: 'namespaces' });
    });

    it('answers 404 NotFound for a missing namespace', async () => {
      const { code, status } = await failure(test.core.readNamespace({ name: 'missing' }));
      assert.equal(code, 404);
      assert.equal(status.message, 'namespaces "missing" not found');
    });

    it('answers 422 for a namespace name that is not a DNS label', async () => {
      const { code, status } = await failure(test.core.createNamespace({ body: { metadata: { name: 'team.a' } } }));
      assert.equal(code, 422);
      assert.equal(status.message, 'Namespace "team.a" is invalid: metadata.name: Invalid value: "team.a": must not contain dots');
    });

    it('refuses to delete default', async () => {
      const { code, status } = await failure(test.core.deleteNamespace({ name: 'default' }));
      assert.equal(code, 403);
      assert.equal(status.message, 'namespaces "default" is forbidden: this namespace may not be deleted');
    });
  });

  describe('secrets', () => {
    it('creates a Secret, merging stringData into base64 data', async () => {
      const created = await test.core.createNamespacedSecret({
        namespace: 'builds',
        body: { metadata: { name: 'registry' }, stringData: { 'config.json': '{"auths":{}}' }, data: { other: 'YWJj' } },
      });
      assert.equal(created.type, 'Opaque');
      assert.equal(created.stringData, undefined);
      assert.equal(Buffer.from(created.data?.['config.json'] ?? '', 'base64').toString(), '{"auths":{}}');
      assert.equal(created.data?.other, 'YWJj');
    });

    it('answers 400 BadRequest for data that is not base64', async () => {
      const { code, status } = await failure(
        test.core.createNamespacedSecret({ namespace: 'builds', body: { metadata: { name: 'bad' }, data: { key: 'not base64!' } } }),
      );
      assert.equal(code, 400);
      assert.equal(status.reason, 'BadRequest');
      assert.equal(status.message, 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3');
    });

    it('answers 422 for an invalid data key', async () => {
      const { code, status } = await failure(
        test.core.createNamespacedSecret({ namespace: 'builds', body: { metadata: { name: 'bad' }, stringData: { 'a b': 'x' } } }),
      );
      assert.equal(code, 422);
      assert.deepEqual(status.details?.causes?.map((cause) => cause.field), ['data[a b]']);
      assert.match(status.details?.causes?.[0].message ?? '', /^Invalid value: "a b": a valid config key must consist of alphanumeric characters/);
    });

    it('deletes a Secret with a success Status', async () => {
      await test.core.createNamespacedSecret({ namespace: 'builds', body: { metadata: { name: 'short-lived' }, stringData: { a: 'b' } } });
      const uid = (await test.core.readNamespacedSecret({ namespace: 'builds', name: 'short-lived' })).metadata?.uid;
      const status: V1Status = await test.core.deleteNamespacedSecret({ namespace: 'builds', name: 'short-lived' });
      assert.equal(status.status, 'Success');
      assert.deepEqual({ ...status.details }, { name: 'short-lived', kind: 'secrets', uid });
      const { code, status: missing } = await failure(test.core.readNamespacedSecret({ namespace: 'builds', name: 'short-lived' }));
      assert.equal(code, 404);
      assert.equal(missing.message, 'secrets "short-lived" not found');
    });
  });

  describe('pods', () => {
    it('stores a new pod as Pending with defaults and a QoS class', async () => {
      const pod = simplePod('defaults');
      pod.spec!.containers[0].resources = { limits: { cpu: '1', memory: '1024Mi' } };
      const created = await test.core.createNamespacedPod({ namespace: 'builds', body: pod });
      const container = created.spec?.containers[0];
      assert.equal(created.status?.phase, 'Pending');
      assert.equal(created.status?.qosClass, 'Guaranteed');
      assert.deepEqual(container?.resources?.requests, { cpu: '1', memory: '1Gi' });
      assert.equal(container?.imagePullPolicy, 'IfNotPresent');
      assert.equal(container?.terminationMessagePath, '/dev/termination-log');
      assert.equal(created.spec?.serviceAccountName, 'default');
      assert.equal(created.spec?.terminationGracePeriodSeconds, 30);
      assert.equal(created.spec?.nodeName, undefined);
      assert.equal(test.listener.created.at(-1)?.metadata?.name, 'defaults');
    });

    it('generates a name from generateName', async () => {
      const pod = simplePod('');
      pod.metadata = { generateName: 'kaniko-' };
      const created = await test.core.createNamespacedPod({ namespace: 'builds', body: pod });
      assert.match(created.metadata?.name ?? '', /^kaniko-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    });

    it('answers 409 AlreadyExists for a second pod of that name', async () => {
      await test.core.createNamespacedPod({ namespace: 'builds', body: simplePod('twice') });
      const { code, status } = await failure(test.core.createNamespacedPod({ namespace: 'builds', body: simplePod('twice') }));
      assert.equal(code, 409);
      assert.equal(status.message, 'pods "twice" already exists');
    });

    it('answers 404 for a pod in a missing namespace', async () => {
      const { code, status } = await failure(test.core.createNamespacedPod({ namespace: 'nowhere', body: simplePod('p') }));
      assert.equal(code, 404);
      assert.equal(status.message, 'namespaces "nowhere" not found');
    });

    it('answers 400 when the body names another namespace', async () => {
      const pod: V1Pod = { ...simplePod('p'), metadata: { name: 'p', namespace: 'default' } };
      const { code, status } = await failure(test.core.createNamespacedPod({ namespace: 'builds', body: pod }));
      assert.equal(code, 400);
      assert.equal(status.message, 'the namespace of the provided object does not match the namespace sent on the request');
    });

    it('answers 400 for a resourceVersion on create', async () => {
      const pod: V1Pod = { ...simplePod('versioned'), metadata: { name: 'versioned', resourceVersion: '5' } };
      const { code, status } = await failure(test.core.createNamespacedPod({ namespace: 'builds', body: pod }));
      assert.equal(code, 400);
      assert.equal(status.message, 'resourceVersion should not be set on objects to be created');
    });

    it('answers 400 for a wrong JSON type, with Go decoder wording', async () => {
      const pod = simplePod('typed') as unknown as { spec: { containers: { env: unknown }[] } };
      pod.spec.containers[0].env = [{ name: 'RETRIES', value: 3 }];
      const { code, status } = await failure(test.core.createNamespacedPod({ namespace: 'builds', body: pod as V1Pod }));
      assert.equal(code, 400);
      assert.equal(
        status.message,
        'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field EnvVar.spec.containers.env.value of type string',
      );
    });

    it('answers 400 for a quantity that does not parse', async () => {
      const pod = simplePod('quantity');
      pod.spec!.containers[0].resources = { requests: { memory: '1 GB' } };
      const { code, status } = await failure(test.core.createNamespacedPod({ namespace: 'builds', body: pod }));
      assert.equal(code, 400);
      assert.match(status.message, /cannot be handled as a Pod: quantities must match the regular expression/);
    });

    it('answers 403 for a service account that does not exist', async () => {
      const { code, status } = await failure(
        test.core.createNamespacedPod({ namespace: 'builds', body: simplePod('sa', { serviceAccountName: 'builder' }) }),
      );
      assert.equal(code, 403);
      assert.equal(status.message, 'pods "sa" is forbidden: error looking up service account builds/builder: serviceaccount "builder" not found');
      test.server.createServiceAccount('builds', 'builder');
      const created = await test.core.createNamespacedPod({ namespace: 'builds', body: simplePod('sa', { serviceAccountName: 'builder' }) });
      assert.equal(created.spec?.serviceAccountName, 'builder');
    });

    it('lists pods by label and field selector', async () => {
      const labelled = simplePod('labelled');
      labelled.metadata!.labels = { app: 'build', run: '42' };
      await test.core.createNamespacedPod({ namespace: 'builds', body: labelled });
      const byLabel = await test.core.listNamespacedPod({ namespace: 'builds', labelSelector: 'run=42' });
      assert.deepEqual(byLabel.items.map((pod) => pod.metadata?.name), ['labelled']);
      const byName = await test.core.listNamespacedPod({ namespace: 'builds', fieldSelector: 'metadata.name=labelled' });
      assert.deepEqual(byName.items.map((pod) => pod.metadata?.name), ['labelled']);
      const bySet = await test.core.listNamespacedPod({ namespace: 'builds', labelSelector: 'run in (41,42),app' });
      assert.deepEqual(bySet.items.map((pod) => pod.metadata?.name), ['labelled']);
      const excluded = await test.core.listNamespacedPod({ namespace: 'builds', labelSelector: 'run!=42,app=build' });
      assert.ok(!excluded.items.some((pod) => pod.metadata?.name === 'labelled'));
      assert.ok(Number(byName.metadata?.resourceVersion) > 0);
    });

    it('answers 400 for a field the selector does not support', async () => {
      const { code, status } = await failure(test.core.listNamespacedPod({ namespace: 'builds', fieldSelector: 'spec.image=x' }));
      assert.equal(code, 400);
      assert.equal(status.message, 'field label not supported: spec.image');
    });

    it('pages a list with limit and continue', async () => {
      const first = await test.core.listNamespacedPod({ namespace: 'builds', limit: 2 });
      assert.equal(first.items.length, 2);
      assert.ok(first.metadata?._continue);
      assert.ok((first.metadata?.remainingItemCount ?? 0) > 0);
      const rest = await test.core.listNamespacedPod({ namespace: 'builds', _continue: first.metadata?._continue });
      const all = await test.core.listNamespacedPod({ namespace: 'builds' });
      assert.deepEqual([...first.items, ...rest.items].map((pod) => pod.metadata?.name), all.items.map((pod) => pod.metadata?.name));
    });

    it('bumps one cluster-wide resourceVersion on every write', async () => {
      const a = await test.core.createNamespacedPod({ namespace: 'builds', body: simplePod('rv-a') });
      const b = await test.core.createNamespacedSecret({ namespace: 'builds', body: { metadata: { name: 'rv-b' } } });
      assert.ok(Number(b.metadata?.resourceVersion) > Number(a.metadata?.resourceVersion));
    });

    it('reads the status subresource', async () => {
      const status = await test.core.readNamespacedPodStatus({ namespace: 'builds', name: 'rv-a' });
      assert.equal(status.status?.phase, 'Pending');
    });
  });
});
