// SelfSubjectAccessReview: the local API server returns the decision that its authorization
// makes for the real request.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import {
  ApisApi, AuthorizationV1Api, CoreV1Api, type V1ResourceAttributes, type V1SelfSubjectAccessReview,
} from '@kubernetes/client-node';
import type { AccessRule } from '../../../../tools/local-cluster/apiserver/auth';
import { failure, kubeConfigFor, simplePod, startTestServer, type TestServer } from './helpers';

const BUILDER_RULES: AccessRule[] = [
  { verbs: ['create', 'get', 'watch', 'delete'], resources: ['pods'], namespaces: ['builds'] },
  { verbs: ['get'], resources: ['pods/log'], namespaces: ['builds'] },
  { verbs: ['create', 'delete'], resources: ['secrets'] },
];

function review(attributes: V1ResourceAttributes): V1SelfSubjectAccessReview {
  return { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: attributes } };
}

/** Posts a raw body and returns the status code and parsed JSON. */
function post(test: TestServer, token: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const call = request(`${test.server.url}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`,
      { method: 'POST', headers, ca: test.server.caPem }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
      });
    call.on('error', reject);
    call.end(JSON.stringify(body));
  });
}

describe('local API server: SelfSubjectAccessReview', () => {
  let test: TestServer;
  let builderToken: string;
  let builder: AuthorizationV1Api;

  before(async () => {
    test = await startTestServer();
    test.server.createNamespace('builds');
    builderToken = test.server.addUser('builder', BUILDER_RULES);
    builder = kubeConfigFor(test.server.kubeconfig({ token: builderToken })).makeApiClient(AuthorizationV1Api);
  });

  after(async () => {
    await test.server.stop();
  });

  const cases: { title: string; attributes: V1ResourceAttributes; allowed: boolean }[] = [
    { title: 'allowed verb in its namespace', attributes: { namespace: 'builds', verb: 'create', resource: 'pods' }, allowed: true },
    { title: 'subresource rule', attributes: { namespace: 'builds', verb: 'get', resource: 'pods', subresource: 'log' }, allowed: true },
    { title: 'rule for every namespace', attributes: { namespace: 'other', verb: 'delete', resource: 'secrets' }, allowed: true },
    { title: 'other namespace', attributes: { namespace: 'default', verb: 'create', resource: 'pods' }, allowed: false },
    { title: 'verb not in the rule', attributes: { namespace: 'builds', verb: 'list', resource: 'pods' }, allowed: false },
    { title: 'subresource not in the rule', attributes: { namespace: 'builds', verb: 'create', resource: 'pods', subresource: 'attach' }, allowed: false },
    { title: 'cluster scope of a namespaced rule', attributes: { verb: 'create', resource: 'pods' }, allowed: false },
    { title: 'cluster-scoped resource', attributes: { verb: 'create', resource: 'namespaces' }, allowed: false },
    { title: 'other API group', attributes: { namespace: 'builds', verb: 'create', group: 'apps', resource: 'pods' }, allowed: false },
  ];
  for (const { title, attributes, allowed } of cases) {
    it(`answers ${allowed ? 'allowed' : 'not allowed'}: ${title}`, async () => {
      const answer = await builder.createSelfSubjectAccessReview({ body: review(attributes) });

      assert.equal(answer.status?.allowed, allowed);
      assert.equal(answer.status?.denied, undefined);
      assert.deepEqual({ ...answer.spec.resourceAttributes }, attributes);
    });
  }

  it('agrees with the decision on the real request', async () => {
    const core = kubeConfigFor(test.server.kubeconfig({ token: builderToken })).makeApiClient(CoreV1Api);
    const reviewed = await builder.createSelfSubjectAccessReview({ body: review({ namespace: 'default', verb: 'create', resource: 'pods' }) });
    const rejected = await failure(core.createNamespacedPod({ namespace: 'default', body: simplePod('rejected') }));
    assert.equal(reviewed.status?.allowed, false);
    assert.equal(rejected.code, 403);

    const allowedReview = await builder.createSelfSubjectAccessReview({ body: review({ namespace: 'builds', verb: 'create', resource: 'pods' }) });
    const created = await core.createNamespacedPod({ namespace: 'builds', body: simplePod('allowed') });
    assert.equal(allowedReview.status?.allowed, true);
    assert.equal(created.metadata?.name, 'allowed');
  });

  it('answers 201 with the review', async () => {
    const { status, json } = await post(test, builderToken, review({ namespace: 'builds', verb: 'get', resource: 'pods' }));

    assert.equal(status, 201);
    assert.equal(json.kind, 'SelfSubjectAccessReview');
    assert.equal(json.apiVersion, 'authorization.k8s.io/v1');
    assert.deepEqual(json.status, { allowed: true });
  });

  it('lets the admin do anything', async () => {
    const admin = test.config.makeApiClient(AuthorizationV1Api);
    const answer = await admin.createSelfSubjectAccessReview({ body: review({ verb: 'create', group: 'apps', resource: 'deployments' }) });
    assert.equal(answer.status?.allowed, true);
  });

  it('answers non-resource paths', async () => {
    const body = (path: string): V1SelfSubjectAccessReview => ({ spec: { nonResourceAttributes: { path, verb: 'get' } } });
    assert.equal((await builder.createSelfSubjectAccessReview({ body: body('/version') })).status?.allowed, true);
    assert.equal((await builder.createSelfSubjectAccessReview({ body: body('/metrics') })).status?.allowed, false);
    const admin = test.config.makeApiClient(AuthorizationV1Api);
    assert.equal((await admin.createSelfSubjectAccessReview({ body: body('/metrics') })).status?.allowed, true);
  });

  it('answers 422 without attributes', async () => {
    const { status, json } = await post(test, builderToken, { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: {} });

    assert.equal(status, 422);
    assert.equal(json.reason, 'Invalid');
    assert.equal(json.message,
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": ' +
      'exactly one of nonResourceAttributes or resourceAttributes must be specified');
    assert.deepEqual((json.details as { group?: string }).group, 'authorization.k8s.io');
  });

  it('answers 422 with both kinds of attributes', async () => {
    const spec = { resourceAttributes: { verb: 'get', resource: 'pods' }, nonResourceAttributes: { path: '/version', verb: 'get' } };
    const { status, json } = await post(test, builderToken, { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec });

    assert.equal(status, 422);
    assert.match(String(json.message), /spec\.nonResourceAttributes: Invalid value: authorization\.NonResourceAttributes\{Path:"\/version", Verb:"get"\}: cannot be specified in combination with resourceAttributes/);
  });

  it('answers 422 to metadata', async () => {
    const body = { ...review({ verb: 'get', resource: 'pods' }), metadata: { name: 'mine' } };
    const { status, json } = await post(test, builderToken, body);

    assert.equal(status, 422);
    assert.match(String(json.message), /metadata: Invalid value: v1\.ObjectMeta\{Name:"mine"\}: must be empty/);
  });

  it('answers 400 to another kind', async () => {
    const { status, json } = await post(test, builderToken, { apiVersion: 'authorization.k8s.io/v1', kind: 'Pod', spec: {} });

    assert.equal(status, 400);
    assert.equal(json.reason, 'BadRequest');
    assert.match(String(json.message), /no kind "Pod" is registered for version "authorization\.k8s\.io\/v1"/);
  });

  it('is forbidden without system:basic-user', async () => {
    const token = test.server.addUser('locked-down', BUILDER_RULES, { basicUser: false });
    const client = kubeConfigFor(test.server.kubeconfig({ token })).makeApiClient(AuthorizationV1Api);
    const { code, status } = await failure(client.createSelfSubjectAccessReview({ body: review({ namespace: 'builds', verb: 'get', resource: 'pods' }) }));

    assert.equal(code, 403);
    assert.equal(status.message,
      'selfsubjectaccessreviews.authorization.k8s.io is forbidden: User "locked-down" cannot create resource ' +
      '"selfsubjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope');
  });

  it('is listed in discovery', async () => {
    const groups = await test.config.makeApiClient(ApisApi).getAPIVersions();

    assert.deepEqual(groups.groups.map((group) => group.name), ['authorization.k8s.io']);
    assert.equal(groups.groups[0].preferredVersion?.groupVersion, 'authorization.k8s.io/v1');
  });
});

describe('local API server without SelfSubjectAccessReview', () => {
  let test: TestServer;

  before(async () => {
    test = await startTestServer({ authorizationApi: false });
  });

  after(async () => {
    await test.server.stop();
  });

  it('answers 404', async () => {
    const client = test.config.makeApiClient(AuthorizationV1Api);
    const { code, status } = await failure(client.createSelfSubjectAccessReview({ body: review({ verb: 'get', resource: 'pods' }) }));

    assert.equal(code, 404);
    assert.equal(status.message, 'the server could not find the requested resource');
  });

  it('lists no group', async () => {
    const groups = await test.config.makeApiClient(ApisApi).getAPIVersions();
    assert.deepEqual(groups.groups, []);
  });
});
