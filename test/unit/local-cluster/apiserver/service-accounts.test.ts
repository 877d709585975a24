import assert from 'node:assert/strict';
import { CoreV1Api, type V1ServiceAccount } from '@kubernetes/client-node';
import { failure, kubeConfigFor, simplePod, startTestServer, waitFor, type TestServer } from './helpers';

const KUBE_API_ACCESS = /^kube-api-access-/;

describe('local API server: service accounts', () => {
  let test: TestServer;

  before(async () => {
    test = await startTestServer();
    test.server.createNamespace('builds');
  });

  after(async () => {
    await test.server.stop();
  });

  function account(name: string, extra: Partial<V1ServiceAccount> = {}): V1ServiceAccount {
    return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name }, ...extra };
  }

  it('has default in every new namespace', async () => {
    test.server.createNamespace('fresh');
    const read = await test.core.readNamespacedServiceAccount({ namespace: 'fresh', name: 'default' });
    assert.equal(read.metadata?.name, 'default');
    assert.match(read.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
  });

  it('creates, reads and lists with annotations', async () => {
    const annotations = { 'azure.workload.identity/client-id': '11111111-2222-3333-4444-555555555555' };
    const created = await test.core.createNamespacedServiceAccount({
      namespace: 'builds', body: account('kaniko-builder', { metadata: { name: 'kaniko-builder', annotations } }),
    });
    assert.equal(created.kind, 'ServiceAccount');
    assert.equal(created.metadata?.namespace, 'builds');
    const read = await test.core.readNamespacedServiceAccount({ namespace: 'builds', name: 'kaniko-builder' });
    assert.deepEqual(read.metadata?.annotations, annotations);
    const list = await test.core.listNamespacedServiceAccount({ namespace: 'builds' });
    assert.deepEqual(list.items.map((item) => item.metadata?.name), ['default', 'kaniko-builder']);
  });

  it('answers 404 for a missing account', async () => {
    const { code, status } = await failure(test.core.readNamespacedServiceAccount({ namespace: 'builds', name: 'missing' }));
    assert.equal(code, 404);
    assert.equal(status.reason, 'NotFound');
    assert.equal(status.message, 'serviceaccounts "missing" not found');
  });

  it('answers 409 for a second account of that name', async () => {
    await test.core.createNamespacedServiceAccount({ namespace: 'builds', body: account('twice') });
    const { code, status } = await failure(test.core.createNamespacedServiceAccount({ namespace: 'builds', body: account('twice') }));
    assert.equal(code, 409);
    assert.equal(status.message, 'serviceaccounts "twice" already exists');
  });

  it('answers 422 for a name that is not a DNS subdomain', async () => {
    const { code, status } = await failure(test.core.createNamespacedServiceAccount({ namespace: 'builds', body: account('Kaniko_Builder') }));
    assert.equal(code, 422);
    assert.equal(status.reason, 'Invalid');
    assert.match(status.message, /^ServiceAccount "Kaniko_Builder" is invalid: metadata\.name: Invalid value: "Kaniko_Builder": a lowercase RFC 1123 subdomain/);
    assert.equal(status.details?.causes?.[0].field, 'metadata.name');
  });

  it('answers 404 in a namespace that does not exist', async () => {
    const { code, status } = await failure(test.core.createNamespacedServiceAccount({ namespace: 'nowhere', body: account('builder') }));
    assert.equal(code, 404);
    assert.equal(status.message, 'namespaces "nowhere" not found');
  });

  it('answers 400 for a field of the wrong JSON type', async () => {
    const body = { ...account('typed'), automountServiceAccountToken: 'yes' } as unknown as V1ServiceAccount;
    const { code, status } = await failure(test.core.createNamespacedServiceAccount({ namespace: 'builds', body }));
    assert.equal(code, 400);
    assert.match(status.message, /automountServiceAccountToken/);
  });

  it('returns the deleted account on DELETE', async () => {
    await test.core.createNamespacedServiceAccount({ namespace: 'builds', body: account('short-lived') });
    const deleted = await test.core.deleteNamespacedServiceAccount({ namespace: 'builds', name: 'short-lived' });
    assert.equal(deleted.kind, 'ServiceAccount');
    assert.equal(deleted.metadata?.name, 'short-lived');
    await failure(test.core.readNamespacedServiceAccount({ namespace: 'builds', name: 'short-lived' }));
  });

  it('lets pods name an account only while it exists', async () => {
    await test.core.createNamespacedServiceAccount({ namespace: 'builds', body: account('pod-runner') });
    const created = await test.core.createNamespacedPod({ namespace: 'builds', body: simplePod('runs-as', { serviceAccountName: 'pod-runner' }) });
    assert.equal(created.spec?.serviceAccountName, 'pod-runner');
    await test.core.deleteNamespacedServiceAccount({ namespace: 'builds', name: 'pod-runner' });
    const { code, status } = await failure(
      test.core.createNamespacedPod({ namespace: 'builds', body: simplePod('runs-as-gone', { serviceAccountName: 'pod-runner' }) }),
    );
    assert.equal(code, 403);
    assert.equal(status.reason, 'Forbidden');
    assert.equal(status.message, 'pods "runs-as-gone" is forbidden: error looking up service account builds/pod-runner: serviceaccount "pod-runner" not found');
  });

  it('takes automount from the account unless the pod sets it', async () => {
    test.server.createServiceAccount('builds', 'no-automount', { automountServiceAccountToken: false });
    const fromAccount = await test.core.createNamespacedPod({ namespace: 'builds', body: simplePod('quiet', { serviceAccountName: 'no-automount' }) });
    assert.equal(fromAccount.spec?.volumes?.some((volume) => KUBE_API_ACCESS.test(volume.name)) ?? false, false);
    const podWins = await test.core.createNamespacedPod({
      namespace: 'builds', body: simplePod('loud', { serviceAccountName: 'no-automount', automountServiceAccountToken: true }),
    });
    assert.equal(podWins.spec?.volumes?.some((volume) => KUBE_API_ACCESS.test(volume.name)), true);
  });

  it('needs RBAC rights on serviceaccounts', async () => {
    const token = test.server.addUser('pods-only', [{ verbs: ['get'], resources: ['pods'] }]);
    const core = kubeConfigFor(test.server.kubeconfig({ token })).makeApiClient(CoreV1Api);
    const { code, status } = await failure(core.readNamespacedServiceAccount({ namespace: 'builds', name: 'default' }));
    assert.equal(code, 403);
    assert.equal(
      status.message,
      'serviceaccounts "default" is forbidden: User "pods-only" cannot get resource "serviceaccounts" in API group "" in the namespace "builds"',
    );
  });

  it('are listed in discovery', async () => {
    const resources = await test.core.getAPIResources();
    const entry = resources.resources.find((resource) => resource.name === 'serviceaccounts');
    assert.equal(entry?.kind, 'ServiceAccount');
    assert.ok(entry?.verbs.includes('create'));
  });

  it('go with their namespace', async () => {
    test.server.createNamespace('doomed');
    test.server.createServiceAccount('doomed', 'builder');
    await test.core.deleteNamespace({ name: 'doomed' });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(test.server.listObjects('serviceaccounts', 'doomed'), []);
  });
});

describe('local API server: service account tokens', () => {
  let test: TestServer;

  before(async () => {
    test = await startTestServer({ serviceAccountIssuer: 'https://oidc.local-cluster.test/issuer/' });
    test.server.createNamespace('builds');
    test.server.createServiceAccount('builds', 'kaniko-builder');
  });

  after(async () => {
    await test.server.stop();
  });

  it('issues bound tokens with the Kubernetes claims', () => {
    const issued = test.server.state.requestServiceAccountToken({
      namespace: 'builds', serviceAccountName: 'kaniko-builder', audience: 'api://AzureADTokenExchange',
      expirationSeconds: 3600, podName: 'kaniko-1', podUid: 'pod-uid', nodeName: 'local-node-1',
    });
    assert.ok('token' in issued, JSON.stringify(issued));
    const claims = test.server.verifyServiceAccountToken(issued.token);
    assert.ok(claims, 'the issuer did not verify its own token');
    assert.equal(claims.iss, 'https://oidc.local-cluster.test/issuer/');
    assert.equal(claims.sub, 'system:serviceaccount:builds:kaniko-builder');
    assert.deepEqual(claims.aud, ['api://AzureADTokenExchange']);
    assert.equal((claims.exp as number) - (claims.iat as number), 3600);
    const kubernetes = claims['kubernetes.io'] as { pod: { name: string }; serviceaccount: { uid: string } };
    assert.equal(kubernetes.pod.name, 'kaniko-1');
    assert.match(kubernetes.serviceaccount.uid, /^[0-9a-f-]{36}$/);
    assert.equal(test.server.serviceAccountIssuer.issuer, 'https://oidc.local-cluster.test/issuer/');
  });

  it('uses the issuer as audience when none is requested', () => {
    const issued = test.server.state.requestServiceAccountToken({
      namespace: 'builds', serviceAccountName: 'default', podName: 'p', podUid: 'u', nodeName: 'n',
    });
    assert.ok('token' in issued);
    assert.deepEqual(test.server.verifyServiceAccountToken(issued.token)?.aud, ['https://oidc.local-cluster.test/issuer/']);
  });

  it('reports a missing account', () => {
    const issued = test.server.state.requestServiceAccountToken({
      namespace: 'builds', serviceAccountName: 'ghost', podName: 'p', podUid: 'u', nodeName: 'n',
    });
    assert.deepEqual(issued, { error: 'serviceaccounts "ghost" not found' });
  });

  it('verifies no foreign or altered token', () => {
    const issued = test.server.state.requestServiceAccountToken({
      namespace: 'builds', serviceAccountName: 'default', podName: 'p', podUid: 'u', nodeName: 'n',
    });
    assert.ok('token' in issued);
    const [header, , signature] = issued.token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url');
    assert.equal(test.server.verifyServiceAccountToken(`${header}.${forged}.${signature}`), undefined);
    assert.equal(test.server.verifyServiceAccountToken('not-a-token'), undefined);
  });
});

describe('local API server: the default service account of a new namespace', () => {
  let test: TestServer;

  before(async () => {
    test = await startTestServer({ serviceAccountDelayMs: 150 });
  });

  after(async () => {
    await test.server.stop();
  });

  it('comes after the delay, and pods wait for it', async () => {
    await test.core.createNamespace({ body: { metadata: { name: 'fresh-build' } } });

    const early = await failure(test.core.createNamespacedPod({ namespace: 'fresh-build', body: simplePod('too-early') }));
    assert.equal(early.code, 403);
    assert.equal(early.status.message,
      'pods "too-early" is forbidden: error looking up service account fresh-build/default: serviceaccount "default" not found');
    const missing = await failure(test.core.readNamespacedServiceAccount({ namespace: 'fresh-build', name: 'default' }));
    assert.equal(missing.code, 404);

    await waitFor(() => test.server.listObjects('serviceaccounts', 'fresh-build').length > 0, 'the default service account', 2000);
    const created = await test.core.createNamespacedPod({ namespace: 'fresh-build', body: simplePod('in-time') });
    assert.equal(created.spec?.serviceAccountName, 'default');
  });

  it('is there at once in a namespace made by the test helper', async () => {
    test.server.createNamespace('prepared');
    const read = await test.core.readNamespacedServiceAccount({ namespace: 'prepared', name: 'default' });
    assert.equal(read.metadata?.name, 'default');
  });

  it('never comes to a namespace deleted before it', async () => {
    await test.core.createNamespace({ body: { metadata: { name: 'short-lived' } } });
    await test.core.deleteNamespace({ name: 'short-lived' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(test.server.listObjects('serviceaccounts', 'short-lived'), []);
    assert.deepEqual(test.server.listObjects('namespaces').map((namespace) => namespace.metadata.name).filter((name) => name === 'short-lived'), []);
  });
});
