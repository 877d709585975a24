import assert from 'node:assert/strict';
import { request } from 'node:https';
import { CoreV1Api, KubeConfig, VersionApi } from '@kubernetes/client-node';
import { failure, kubeConfigFor, startTestServer, type StatusBody, type TestServer } from './helpers';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends a plain HTTPS request that trusts the server's CA, to see what client-node hides. */
function rawRequest(test: TestServer, method: string, path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const call = request(`${test.server.url}${path}`, { method, headers, ca: test.server.caPem }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    call.on('error', reject);
    call.end();
  });
}

describe('local API server: TLS and authentication', () => {
  let test: TestServer;

  before(async () => {
    test = await startTestServer();
  });

  after(async () => {
    await test.server.stop();
  });

  it('serves /version to a client that trusts the CA', async () => {
    const version = await test.config.makeApiClient(VersionApi).getCode();
    assert.equal(version.major, '1');
    assert.equal(version.minor, '34');
    assert.match(version.gitVersion, /^v1\.34\./);
  });

  it('kubeconfig names the server, CA and token', () => {
    const config = kubeConfigFor(test.server.kubeconfig({ namespace: 'builds' }));
    assert.equal(config.getCurrentCluster()?.server, test.server.url);
    assert.equal(Buffer.from(config.getCurrentCluster()?.caData ?? '', 'base64').toString(), test.server.caPem);
    assert.equal(config.getCurrentUser()?.token, test.server.adminToken);
    assert.equal(config.getContextObject(config.getCurrentContext())?.namespace, 'builds');
  });

  it('rejects the server certificate without the CA', async () => {
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'c', server: test.server.url, skipTLSVerify: false }],
      users: [{ name: 'u', token: test.server.adminToken }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    await assert.rejects(config.makeApiClient(CoreV1Api).listNamespace(), (error: Error) => {
      assert.match(`${error.message} ${String((error as { cause?: unknown }).cause ?? '')}`, /self[- ]signed|unable to verify|certificate/i);
      return true;
    });
  });

  it('accepts insecure-skip-tls-verify without the CA', async () => {
    const config = kubeConfigFor(test.server.kubeconfig({ insecure: true }));
    assert.equal(config.getCurrentCluster()?.caData, undefined);
    const namespaces = await config.makeApiClient(CoreV1Api).listNamespace();
    assert.ok(namespaces.items.length > 0);
  });

  it('answers 401 Unauthorized without a token', async () => {
    const response = await rawRequest(test, 'GET', '/api/v1/namespaces');
    const status = JSON.parse(response.body) as StatusBody;
    assert.equal(response.status, 401);
    assert.equal(status.kind, 'Status');
    assert.equal(status.reason, 'Unauthorized');
    assert.equal(status.message, 'Unauthorized');
    assert.equal(status.code, 401);
  });

  it('answers 401 to an unknown token through client-node', async () => {
    const config = kubeConfigFor(test.server.kubeconfig({ token: 'not-a-known-token' }));
    const { code } = await failure(config.makeApiClient(CoreV1Api).listNamespace());
    assert.equal(code, 401);
  });

  it('answers 403 with the RBAC message to a restricted user', async () => {
    const token = test.server.addUser('builder', [{ verbs: ['get', 'list'], resources: ['pods'], namespaces: ['builds'] }]);
    const core = kubeConfigFor(test.server.kubeconfig({ token })).makeApiClient(CoreV1Api);
    const create = await failure(core.createNamespacedPod({ namespace: 'builds', body: { metadata: { name: 'p' } } }));
    assert.equal(create.code, 403);
    assert.equal(create.status.reason, 'Forbidden');
    assert.equal(
      create.status.message,
      'pods is forbidden: User "builder" cannot create resource "pods" in API group "" in the namespace "builds"',
    );
    const log = await failure(core.readNamespacedPodLog({ namespace: 'builds', name: 'p' }));
    assert.equal(log.status.message, 'pods "p" is forbidden: User "builder" cannot get resource "pods/log" in API group "" in the namespace "builds"');
    const namespaces = await failure(core.listNamespace());
    assert.equal(namespaces.status.message, 'namespaces is forbidden: User "builder" cannot list resource "namespaces" in API group "" at the cluster scope');
    const other = await failure(core.listNamespacedPod({ namespace: 'default' }));
    assert.equal(other.code, 403);
  });

  it('lets a restricted user do what its rules allow', async () => {
    const token = test.server.addUser('reader', [{ verbs: ['list'], resources: ['pods'], namespaces: ['default'] }]);
    const core = kubeConfigFor(test.server.kubeconfig({ token })).makeApiClient(CoreV1Api);
    const pods = await core.listNamespacedPod({ namespace: 'default' });
    assert.deepEqual(pods.items, []);
  });

  it('serves /api and /api/v1 discovery', async () => {
    const auth = { Authorization: `Bearer ${test.server.adminToken}` };
    const api = JSON.parse((await rawRequest(test, 'GET', '/api', auth)).body) as { kind: string; versions: string[] };
    assert.equal(api.kind, 'APIVersions');
    assert.deepEqual(api.versions, ['v1']);
    const resources = JSON.parse((await rawRequest(test, 'GET', '/api/v1', auth)).body) as { resources: { name: string }[] };
    const names = resources.resources.map((resource) => resource.name);
    for (const name of ['namespaces', 'pods', 'pods/log', 'secrets', 'events']) assert.ok(names.includes(name), name);
  });

  it('answers 404 with a Status for unknown paths', async () => {
    const auth = { Authorization: `Bearer ${test.server.adminToken}` };
    for (const path of ['/apis/apps/v1', '/api/v1/namespaces/default/configmaps', '/nothing']) {
      const response = await rawRequest(test, 'GET', path, auth);
      const status = JSON.parse(response.body) as StatusBody;
      assert.equal(response.status, 404, path);
      assert.equal(status.reason, 'NotFound', path);
      assert.equal(status.message, 'the server could not find the requested resource', path);
    }
  });

  it('answers 405 to update and patch, which it does not serve', async () => {
    const auth = { Authorization: `Bearer ${test.server.adminToken}` };
    const response = await rawRequest(test, 'PUT', '/api/v1/namespaces/default', auth);
    const status = JSON.parse(response.body) as StatusBody;
    assert.equal(response.status, 405);
    assert.equal(status.reason, 'MethodNotAllowed');
  });
});
