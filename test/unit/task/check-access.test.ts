// checkAccess: the SelfSubjectAccessReview preflight, against a fake ClusterApi.
import { strict as assert } from 'node:assert';
import { ApiException, type V1ResourceAttributes } from '@kubernetes/client-node';
import { Cleanup } from '../../../tasks/KanikoBuildV1/src/cleanup';
import { checkAccess } from '../../../tasks/KanikoBuildV1/src/phases/check-access';
import { createBuildNamespace } from '../../../tasks/KanikoBuildV1/src/phases/create-namespace';
import { buildPlan } from '../../../tasks/KanikoBuildV1/src/plan/plan';
import { clusterApiWith } from './support/cluster-api';
import { sampleSettings, type SettingsChanges } from './support/settings';
import { captureStdout } from './support/stdout';

function key(attributes: V1ResourceAttributes): string {
  const resource = attributes.subresource ? `${attributes.resource}/${attributes.subresource}` : attributes.resource;
  return `${attributes.verb} ${resource} @${attributes.namespace ?? ''}`;
}

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

/** Runs checkAccess where every permission but `denied` is allowed, and returns the outcome and the output. */
async function check(denied: string[], changes: SettingsChanges = {}) {
  const settings = sampleSettings(changes);
  const plan = buildPlan(settings, 'abcd1234');
  const asked: string[] = [];
  const api = clusterApiWith({
    reviewAccess: async (attributes) => {
      asked.push(key(attributes));
      return !denied.includes(key(attributes));
    },
  });
  const { result, output } = await captureStdout(() => checkAccess(api, settings, plan, new AbortController().signal).then(
    (report) => ({ report, error: undefined }), (error: unknown) => ({ report: undefined, error: error as Error })));
  return { ...result, output, asked };
}

function warnings(output: string): string[] {
  return output.split('\n').filter((line) => line.startsWith('##vso[task.issue type=warning')).map((line) => line.replace(/^[^\]]*\]/, ''));
}

describe('check access', () => {
  it('asks for every permission and passes when all are granted', async () => {
    const { report, error, asked, output } = await check([]);

    assert.equal(error, undefined);
    assert.equal(asked.length, 11);
    assert.ok(asked.includes('patch secrets @builds'));
    assert.equal(report?.allows('log'), true);
    assert.match(output, /Checked 11 permissions in namespace builds/);
    assert.deepEqual(warnings(output), []);
  });

  it('missing required permissions fail with the list and a Role', async () => {
    const { error } = await check(['create pods @builds', 'delete secrets @builds']);
    const message = error?.message ?? '';

    assert.match(message, /lacks permissions that the build needs, so the task created nothing/);
    assert.match(message, /API server https:\/\/127\.0\.0\.1:6443 does not allow:\n {2}- create pods in namespace builds\n {2}- delete secrets in namespace builds\n/);
    assert.match(message, /kind: Role\nmetadata:\n {2}name: kaniko-build\n {2}namespace: builds\n/);
    assert.match(message, /kubectl create rolebinding kaniko-build --role=kaniko-build --namespace builds/);
  });

  it('missing optional permissions warn and go on', async () => {
    const { report, error, output } = await check(['list events @builds', 'get pods/log @builds']);

    assert.equal(error, undefined);
    assert.equal(report?.allows('events'), false);
    assert.equal(report?.allows('log'), false);
    assert.equal(report?.allows('serviceAccountCheck'), true);
    assert.deepEqual(warnings(output), [
      "The service connection's identity may not get pods/log in namespace builds, so the step cannot show kaniko's build log, though the build's result still counts. The build goes on; grant that permission to change this.",
      "The service connection's identity may not list events in namespace builds, so failure messages cannot show the pod's events. The build goes on; grant that permission to change this.",
    ]);
  });

  it('new namespace needs cluster-wide rights and suggests a ClusterRole', async () => {
    const { error } = await check(['create namespaces @'], { pod: { namespace: 'kaniko', createNamespace: true } });
    const message = error?.message ?? '';

    assert.match(message, /- create namespaces at the cluster scope/);
    assert.match(message, /kind: ClusterRole\n/);
    assert.match(message, /kubectl create clusterrolebinding/);
  });

  const unavailable = [
    { title: 'not served', error: new ApiException(404, 'Not Found', status(404, 'NotFound', 'the server could not find the requested resource'), {}) },
    { title: 'forbidden', error: new ApiException(403, 'Forbidden', status(403, 'Forbidden', 'selfsubjectaccessreviews.authorization.k8s.io is forbidden'), {}) },
  ];
  for (const { title, error: failure } of unavailable) {
    it(`review ${title} warns once and goes on`, async () => {
      const settings = sampleSettings();
      const plan = buildPlan(settings, 'abcd1234');
      let calls = 0;
      const api = clusterApiWith({
        reviewAccess: async () => {
          calls += 1;
          throw failure;
        },
      });
      const { result, output } = await captureStdout(() => checkAccess(api, settings, plan, new AbortController().signal));

      assert.ok(calls > 0);
      assert.equal(result.allows('log'), true);
      const lines = warnings(output);
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0], new RegExp(`did not answer the SelfSubjectAccessReview: HTTP ${failure.code}`));
    });
  }

  it('cancel while asking rejects', async () => {
    const settings = sampleSettings();
    const controller = new AbortController();
    const api = clusterApiWith({ reviewAccess: () => new Promise<boolean>(() => undefined) });
    setTimeout(() => controller.abort(new Error('cancelled by the test')), 20);

    await assert.rejects(checkAccess(api, settings, buildPlan(settings, 'abcd1234'), controller.signal), /cancelled by the test/);
  });
});

describe('create the build namespace', () => {
  const settings = sampleSettings({ pod: { namespace: 'kaniko', createNamespace: true } });
  const plan = buildPlan(settings, 'abcd1234');
  const notFound = (): ApiException<string> => new ApiException(404, 'Not Found', status(404, 'NotFound', 'serviceaccounts "default" not found'), {});

  it('creates it, registers its delete and waits for the default service account', async () => {
    const calls: string[] = [];
    let reads = 0;
    const api = clusterApiWith({
      createNamespace: async (namespace) => {
        calls.push(`create ${namespace.metadata?.name}`);
        return namespace;
      },
      deleteNamespace: async (name) => {
        calls.push(`delete ${name}`);
      },
      readServiceAccount: async (namespace, name) => {
        reads += 1;
        if (reads < 3) throw notFound();
        return { metadata: { name, namespace } };
      },
    });
    const cleanup = new Cleanup();
    const { output } = await captureStdout(() => createBuildNamespace(api, plan, cleanup, new AbortController().signal));

    assert.deepEqual(calls, ['create kaniko-abcd1234']);
    assert.equal(reads, 3);
    assert.match(output, /Created namespace kaniko-abcd1234 for this build/);
    assert.equal(cleanup.size, 1);
    await captureStdout(() => cleanup.runAll());
    assert.deepEqual(calls, ['create kaniko-abcd1234', 'delete kaniko-abcd1234']);
  });

  it('fails when the account never comes', async () => {
    const api = clusterApiWith({
      createNamespace: async (namespace) => namespace,
      readServiceAccount: async () => {
        throw notFound();
      },
    });
    const cleanup = new Cleanup();
    const run = captureStdout(() => createBuildNamespace(api, plan, cleanup, new AbortController().signal, 600));

    await assert.rejects(run, /The namespace kaniko-abcd1234 that the task created got no default service account within 0\.6 s/);
    assert.equal(cleanup.size, 1, 'the namespace delete was not kept');
  });

  it('fails at once when reading the account is forbidden', async () => {
    let reads = 0;
    const api = clusterApiWith({
      createNamespace: async (namespace) => namespace,
      readServiceAccount: async () => {
        reads += 1;
        throw new ApiException(403, 'Forbidden', status(403, 'Forbidden', 'serviceaccounts "default" is forbidden'), {});
      },
    });
    const run = captureStdout(() => createBuildNamespace(api, plan, new Cleanup(), new AbortController().signal));

    await assert.rejects(run, /Could not read the default service account of namespace kaniko-abcd1234, .*HTTP 403 Forbidden/);
    assert.equal(reads, 1);
  });

  it('rejected create withdraws the delete', async () => {
    const api = clusterApiWith({
      createNamespace: async () => {
        throw new ApiException(409, 'Conflict', status(409, 'AlreadyExists', 'namespaces "kaniko-abcd1234" already exists'), {});
      },
    });
    const cleanup = new Cleanup();

    await assert.rejects(createBuildNamespace(api, plan, cleanup, new AbortController().signal), /Could not create namespace kaniko-abcd1234: HTTP 409 AlreadyExists/);
    assert.equal(cleanup.size, 0);
  });

  it('does nothing without createNamespace', async () => {
    const plain = buildPlan(sampleSettings(), 'abcd1234');
    const cleanup = new Cleanup();

    await createBuildNamespace(clusterApiWith({}), plain, cleanup, new AbortController().signal);
    assert.equal(cleanup.size, 0);
  });
});
