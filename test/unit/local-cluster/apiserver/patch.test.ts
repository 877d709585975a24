// PATCH of Secrets: JSON Patch and JSON Merge Patch, with the API server's status codes for
// unsupported media types, missing objects, undecodable bodies, operations that do not apply,
// invalid results and stale resourceVersions.
import assert from 'node:assert/strict';
import { PatchStrategy, setHeaderOptions, Watch, type V1Secret } from '@kubernetes/client-node';
import { failure, sendRaw, simplePod, startTestServer, type StatusBody, type TestServer, waitFor } from './helpers';

const NAMESPACE = 'patching';

describe('local API server: PATCH of Secrets', () => {
  let test: TestServer;
  let counter = 0;

  before(async () => {
    test = await startTestServer();
    test.server.createNamespace(NAMESPACE);
  });

  after(async () => {
    await test.server.stop();
  });

  async function newSecret(extra: Partial<V1Secret> = {}): Promise<V1Secret> {
    counter += 1;
    return test.core.createNamespacedSecret({
      namespace: NAMESPACE,
      body: { metadata: { name: `secret-${counter}`, labels: { app: 'build' } }, data: { key: 'dmFsdWU=' }, ...extra },
    });
  }

  function mergePatch(name: string, body: unknown): Promise<V1Secret> {
    return test.core.patchNamespacedSecret({ namespace: NAMESPACE, name, body },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  }

  function path(name: string): string {
    return `/api/v1/namespaces/${NAMESPACE}/secrets/${name}`;
  }

  const owner = { apiVersion: 'v1', kind: 'Pod', name: 'build', uid: '6a1e3f0c-2d4b-4c8e-9f7a-1b2c3d4e5f60' };

  it('JSON Patch adds owner references', async () => {
    const secret = await newSecret();
    const name = secret.metadata!.name!;
    const patched = await test.core.patchNamespacedSecret({
      namespace: NAMESPACE, name, body: [{ op: 'add', path: '/metadata/ownerReferences', value: [owner] }],
    });

    assert.deepEqual(plain(patched.metadata?.ownerReferences), [owner]);
    assert.ok(Number(patched.metadata?.resourceVersion) > Number(secret.metadata?.resourceVersion));
    assert.equal(patched.metadata?.uid, secret.metadata?.uid);
    assert.deepEqual(patched.data, { key: 'dmFsdWU=' });
    const read = await test.core.readNamespacedSecret({ namespace: NAMESPACE, name });
    assert.deepEqual(plain(read.metadata?.ownerReferences), [owner]);
  });

  it('sends MODIFIED to watchers', async () => {
    const secret = await newSecret();
    const name = secret.metadata!.name!;
    const events: { type: string; secret: V1Secret }[] = [];
    const controller = await new Watch(test.config).watch(`/api/v1/namespaces/${NAMESPACE}/secrets`,
      { resourceVersion: secret.metadata?.resourceVersion }, (type, object: V1Secret) => events.push({ type, secret: object }), () => undefined);
    try {
      const patched = await mergePatch(name, { metadata: { labels: { stage: 'build' } } });
      await waitFor(() => events.length > 0, 'the MODIFIED event');

      assert.equal(events[0].type, 'MODIFIED');
      assert.equal(events[0].secret.metadata?.resourceVersion, patched.metadata?.resourceVersion);
      assert.deepEqual(events[0].secret.metadata?.labels, { app: 'build', stage: 'build' });
    } finally {
      controller.abort();
    }
  });

  it('merge patch merges maps and removes null members', async () => {
    const secret = await newSecret();
    const patched = await mergePatch(secret.metadata!.name!, { metadata: { labels: { app: null, stage: 'push' } }, data: { more: 'eHl6' } });

    assert.deepEqual(patched.metadata?.labels, { stage: 'push' });
    assert.deepEqual(patched.data, { key: 'dmFsdWU=', more: 'eHl6' });
  });

  it('merge patch stringData becomes data', async () => {
    const secret = await newSecret();
    const patched = await mergePatch(secret.metadata!.name!, { stringData: { token: 'plain text' } });

    assert.equal(patched.data?.token, Buffer.from('plain text').toString('base64'));
    assert.equal(patched.stringData, undefined);
  });

  it('patch that changes nothing keeps the version', async () => {
    const secret = await newSecret();
    const patched = await mergePatch(secret.metadata!.name!, { metadata: { labels: { app: 'build' } } });

    assert.equal(patched.metadata?.resourceVersion, secret.metadata?.resourceVersion);
  });

  it('dryRun stores nothing', async () => {
    const secret = await newSecret();
    const name = secret.metadata!.name!;
    const answer = await sendRaw(test, 'PATCH', `${path(name)}?dryRun=All`, {
      contentType: 'application/merge-patch+json', body: JSON.stringify({ metadata: { labels: { stage: 'dry' } } }),
    });
    assert.equal(answer.status, 200, answer.body);
    assert.equal((JSON.parse(answer.body) as V1Secret).metadata?.labels?.stage, 'dry');
    const read = await test.core.readNamespacedSecret({ namespace: NAMESPACE, name });
    assert.equal(read.metadata?.labels?.stage, undefined);
  });

  it('duplicate owner references are dropped', async () => {
    const secret = await newSecret();
    const patched = await mergePatch(secret.metadata!.name!, { metadata: { ownerReferences: [owner, { ...owner, name: 'copy' }] } });

    assert.deepEqual(plain(patched.metadata?.ownerReferences), [owner]);
  });

  it('415 for a strategic merge patch, before 404', async () => {
    const answer = await sendRaw(test, 'PATCH', path('missing'), { contentType: 'application/strategic-merge-patch+json', body: '{}' });
    const status = JSON.parse(answer.body) as StatusBody;

    assert.equal(answer.status, 415);
    assert.equal(status.reason, 'UnsupportedMediaType');
    assert.match(status.message, /accepted media types include: application\/json-patch\+json, application\/merge-patch\+json$/);
  });

  it('415 for a plain JSON body', async () => {
    const secret = await newSecret();
    const answer = await sendRaw(test, 'PATCH', path(secret.metadata!.name!), { contentType: 'application/json', body: '{}' });

    assert.equal(answer.status, 415);
  });

  it('404 for a missing Secret', async () => {
    const { code, status } = await failure(mergePatch('missing', { metadata: { labels: { a: 'b' } } }));

    assert.equal(code, 404);
    assert.equal(status.message, 'secrets "missing" not found');
  });

  const badBodies: { title: string; contentType: string; body: string; message: RegExp }[] = [
    { title: 'text that is not JSON', contentType: 'application/merge-patch+json', body: '{labels', message: /^error decoding patch: / },
    {
      title: 'a merge patch that is a list', contentType: 'application/merge-patch+json', body: '[]',
      message: /^error decoding patch: json: cannot unmarshal array into Go value of type map\[string\]interface \{\}$/,
    },
    {
      title: 'a JSON Patch that is an object', contentType: 'application/json-patch+json', body: '{"op":"add"}',
      message: /^error decoding patch: json: cannot unmarshal object into Go value of type \[\]handlers\.jsonPatchOp$/,
    },
    {
      title: 'an operation whose path is a number', contentType: 'application/json-patch+json', body: '[{"op":"remove","path":1}]',
      message: /cannot unmarshal number into Go struct field jsonPatchOp\.path of type string$/,
    },
  ];
  for (const { title, contentType, body, message } of badBodies) {
    it(`400 for ${title}`, async () => {
      const secret = await newSecret();
      const answer = await sendRaw(test, 'PATCH', path(secret.metadata!.name!), { contentType, body });
      const status = JSON.parse(answer.body) as StatusBody;

      assert.equal(answer.status, 400, answer.body);
      assert.equal(status.reason, 'BadRequest');
      assert.match(status.message, message);
    });
  }

  const notApplicable: { title: string; operations: unknown[] }[] = [
    { title: 'remove of a missing member', operations: [{ op: 'remove', path: '/metadata/annotations' }] },
    { title: 'a failed test', operations: [{ op: 'test', path: '/type', value: 'kubernetes.io/tls' }] },
    { title: 'an unknown op', operations: [{ op: 'append', path: '/data/x', value: 'eA==' }] },
  ];
  for (const { title, operations } of notApplicable) {
    it(`422 for ${title}, changing nothing`, async () => {
      const secret = await newSecret();
      const name = secret.metadata!.name!;
      const labelsFirst = [{ op: 'add', path: '/metadata/labels/stage', value: 'half' }, ...operations];
      const { code, status } = await failure(test.core.patchNamespacedSecret({ namespace: NAMESPACE, name, body: labelsFirst }));

      assert.equal(code, 422);
      assert.equal(status.reason, 'Invalid');
      assert.equal(status.message, 'the server rejected our request due to an error in our request');
      const read = await test.core.readNamespacedSecret({ namespace: NAMESPACE, name });
      assert.equal(read.metadata?.labels?.stage, undefined);
      assert.equal(read.metadata?.resourceVersion, secret.metadata?.resourceVersion);
    });
  }

  it('422 for an owner reference without uid', async () => {
    const secret = await newSecret();
    const name = secret.metadata!.name!;
    const { code, status } = await failure(mergePatch(name, { metadata: { ownerReferences: [{ ...owner, uid: '' }] } }));

    assert.equal(code, 422);
    assert.equal(status.message, `Secret "${name}" is invalid: metadata.ownerReferences.uid: Invalid value: "": uid must not be empty`);
  });

  it('422 for an owner reference without apiVersion, kind and name', async () => {
    const secret = await newSecret();
    const name = secret.metadata!.name!;
    const { code, status } = await failure(mergePatch(name, { metadata: { ownerReferences: [{ uid: owner.uid }] } }));

    assert.equal(code, 422);
    assert.deepEqual(status.details?.causes?.map((cause) => cause.field),
      ['metadata.ownerReferences.apiVersion', 'metadata.ownerReferences.kind', 'metadata.ownerReferences.name']);
  });

  it('422 for two controller references', async () => {
    const secret = await newSecret();
    const second = { ...owner, name: 'other', uid: '0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f', controller: true };
    const { code, status } = await failure(mergePatch(secret.metadata!.name!, { metadata: { ownerReferences: [{ ...owner, controller: true }, second] } }));

    assert.equal(code, 422);
    assert.match(status.message, /Only one reference can have Controller set to true\. Found "true" in references for Pod\/build and Pod\/other/);
  });

  it('422 for a changed type', async () => {
    const secret = await newSecret();
    const name = secret.metadata!.name!;
    const { code, status } = await failure(mergePatch(name, { type: 'example.com/other' }));

    assert.equal(code, 422);
    assert.equal(status.message, `Secret "${name}" is invalid: type: Invalid value: "example.com/other": field is immutable`);
  });

  it('422 for a changed uid', async () => {
    const secret = await newSecret();
    const { code, status } = await failure(mergePatch(secret.metadata!.name!, { metadata: { uid: owner.uid } }));

    assert.equal(code, 422);
    assert.match(status.message, /metadata\.uid: Invalid value: "6a1e3f0c-[0-9a-f-]+": field is immutable/);
  });

  it('422 for data of an immutable Secret', async () => {
    const secret = await newSecret({ immutable: true });
    const name = secret.metadata!.name!;
    const { code, status } = await failure(mergePatch(name, { data: { key: 'b3RoZXI=' } }));
    const labelled = await mergePatch(name, { metadata: { labels: { stage: 'still-patchable' } } });

    assert.equal(code, 422);
    assert.equal(status.message, `Secret "${name}" is invalid: data: Forbidden: field is immutable when \`immutable\` is set`);
    assert.equal(labelled.metadata?.labels?.stage, 'still-patchable');
  });

  it('422 on the field patch for a wrong JSON type', async () => {
    const secret = await newSecret();
    const { code, status } = await failure(mergePatch(secret.metadata!.name!, { metadata: { ownerReferences: 'build' } }));

    assert.equal(code, 422);
    assert.equal(status.details?.causes?.[0]?.field, 'patch');
    assert.match(status.message, /^ "" is invalid: patch: Invalid value: ".*": Secret in version "v1" cannot be handled as a Secret: json: cannot unmarshal string into Go struct field ObjectMeta\.metadata\.ownerReferences of type \[\]v1\.OwnerReference$/);
  });

  it('409 for a stale resourceVersion', async () => {
    const secret = await newSecret();
    const name = secret.metadata!.name!;
    await mergePatch(name, { metadata: { labels: { stage: 'one' } } });
    const { code, status } = await failure(mergePatch(name, { metadata: { resourceVersion: secret.metadata?.resourceVersion, labels: { stage: 'two' } } }));

    assert.equal(code, 409);
    assert.equal(status.reason, 'Conflict');
    assert.equal(status.message,
      `Operation cannot be fulfilled on secrets "${name}": the object has been modified; please apply your changes to the latest version and try again`);
  });

  it('400 for a renamed object', async () => {
    const secret = await newSecret();
    const name = secret.metadata!.name!;
    const { code, status } = await failure(mergePatch(name, { metadata: { name: 'renamed' } }));

    assert.equal(code, 400);
    assert.equal(status.message, `the name of the object (renamed) does not match the name on the URL (${name})`);
  });

  it('403 without the patch verb', async () => {
    const secret = await newSecret();
    const token = test.server.addUser('no-patch', [{ verbs: ['get', 'create', 'delete'], resources: ['secrets'] }]);
    const answer = await sendRaw(test, 'PATCH', path(secret.metadata!.name!), { contentType: 'application/merge-patch+json', body: '{}', token });
    const status = JSON.parse(answer.body) as StatusBody;

    assert.equal(answer.status, 403);
    assert.match(status.message, /cannot patch resource "secrets" in API group "" in the namespace "patching"/);
  });

  it('405 for a PATCH of a pod', async () => {
    await test.core.createNamespacedPod({ namespace: NAMESPACE, body: simplePod('patch-me') });
    const answer = await sendRaw(test, 'PATCH', `/api/v1/namespaces/${NAMESPACE}/pods/patch-me`, { contentType: 'application/merge-patch+json', body: '{}' });

    assert.equal(answer.status, 405);
  });

  it('create checks owner references too', async () => {
    const { code, status } = await failure(test.core.createNamespacedSecret({
      namespace: NAMESPACE, body: { metadata: { name: 'owned-badly', ownerReferences: [{ ...owner, kind: '' }] } },
    }));

    assert.equal(code, 422);
    assert.equal(status.message, 'Secret "owned-badly" is invalid: metadata.ownerReferences.kind: Invalid value: "": kind must not be empty');
  });
});


/** Drops the client-node model classes, for deep comparison with plain objects. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}
