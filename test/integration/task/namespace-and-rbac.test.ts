// A namespace per build (createNamespace) and the permission check before anything is created,
// through the bundled task against the local cluster.
import * as assert from 'node:assert/strict';
import { KubeConfig, Watch, type V1Namespace } from '@kubernetes/client-node';
import type { AccessRule, LocalCluster } from '../../../tools/local-cluster/index';
import { startLocalCluster } from '../../../tools/stand-ins';
import { sharedAzurite, sharedStandIns, type StandIns } from '../stand-ins';
import {
  assertNoSecretInOutput, assertNothingLeft, containerExists, errors, kubeconfigEndpoint, runBuild, type BuildRun,
} from './harness';

const SMALL_BUILD = { Dockerfile: 'FROM alpine:3.20\nRUN echo in a namespace of its own\n' };
/** Everything a build in an existing namespace needs, granted in every namespace. */
const BUILD_RULES: AccessRule[] = [
  { verbs: ['create', 'get', 'list', 'watch', 'delete'], resources: ['pods'] },
  { verbs: ['get'], resources: ['pods/log'] },
  { verbs: ['create', 'delete', 'list', 'patch'], resources: ['secrets'] },
  { verbs: ['list'], resources: ['events'] },
];
/** What a build in a namespace of its own needs besides BUILD_RULES. */
const NAMESPACE_RULES: AccessRule[] = [
  { verbs: ['create', 'delete', 'list'], resources: ['namespaces'] },
  { verbs: ['get'], resources: ['serviceaccounts'] },
];

function warnings(build: BuildRun): string[] {
  return build.run.issues.filter((issue) => issue.type === 'warning').map((issue) => issue.message);
}

/** Runs a build as a user with only `rules`, and adds the user's token to the secrets the output must not show. */
async function buildAs(user: string, rules: AccessRule[], scenario: Parameters<typeof runBuild>[0] = {}, basicUser = true): Promise<BuildRun> {
  const standIns = scenario.standIns ?? await sharedStandIns();
  const token = standIns.cluster.addUser(user, rules, { basicUser });
  const build = await runBuild({
    files: SMALL_BUILD,
    ...scenario,
    clusterEndpoint: kubeconfigEndpoint(standIns, { kubeconfig: standIns.cluster.kubeconfig({ token }) }),
  });
  build.secrets.push(token);
  return build;
}

async function expectNothingCreated(build: BuildRun): Promise<void> {
  assert.equal(build.run.result, 'Failed');
  assert.equal(build.record, undefined, 'a pod was created');
  assert.equal(await containerExists(build), false, 'the blob container was created');
  await assertNothingLeft(build);
  assertNoSecretInOutput(build);
}

/** Records every namespace the cluster adds while `body` runs, as another API client would see them. */
async function recordNamespaces<T>(cluster: LocalCluster, body: () => Promise<T>): Promise<{ result: T; added: V1Namespace[] }> {
  const config = new KubeConfig();
  config.loadFromString(cluster.kubeconfig());
  const added: V1Namespace[] = [];
  const controller = await new Watch(config).watch('/api/v1/namespaces', {}, (type, object: V1Namespace) => {
    if (type === 'ADDED') added.push(object);
  }, () => undefined);
  try {
    return { result: await body(), added };
  } finally {
    controller.abort();
  }
}

/** Waits until the namespace controller has removed `namespace`, which happens after its pods are gone. */
async function waitForNamespaceGone(cluster: LocalCluster, namespace: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (cluster.listObjects('namespaces').some((object) => object.metadata.name === namespace)) {
    if (Date.now() > deadline) throw new Error(`namespace ${namespace} still exists`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('KanikoBuild namespace per build', function () {
  this.timeout(180_000);

  describe('createNamespace', () => {
    let build: BuildRun;
    let created: V1Namespace[];
    let buildNamespace: string;

    before(async () => {
      const { cluster } = await sharedStandIns();
      const recorded = await recordNamespaces(cluster, () => runBuild({ files: SMALL_BUILD, inputs: { createNamespace: 'true' } }));
      build = recorded.result;
      created = recorded.added.filter((namespace) => namespace.metadata?.name?.startsWith(`${build.namespace}-`));
      buildNamespace = created[0]?.metadata?.name ?? '';
    });

    it('builds in a new namespace named from the prefix', () => {
      assert.equal(build.run.result, 'Succeeded', errors(build.run));
      assert.equal(created.length, 1, created.map((namespace) => namespace.metadata?.name).join(', '));
      assert.match(buildNamespace, new RegExp(`^${build.namespace}-[0-9a-f]{8}$`));
      const record = build.standIns.cluster.runs.find((run) => run.namespace === buildNamespace);
      assert.ok(record, 'no pod ran in the new namespace');
      assert.equal(record.digest, build.run.variables.imageDigest?.value);
    });

    it('labels the namespace with the run', () => {
      const labels = created[0]?.metadata?.labels ?? {};
      assert.equal(labels['kaniko-build-on-aks/build-id'], '4711');
      assert.match(labels['kaniko-build-on-aks/job-id'] ?? '', /\S/);
      assert.match(labels['kaniko-build-on-aks/run'] ?? '', /^kaniko-4711-[0-9a-f]{8}$/);
    });

    it('waits for the default service account', () => {
      const created = build.run.log.findIndex((line) => line.startsWith(`Created namespace ${buildNamespace}`));
      const pod = build.run.log.findIndex((line) => line.startsWith(`Created pod ${buildNamespace}/`));
      assert.ok(created >= 0, `no namespace was created: ${build.run.log.join('\n')}`);
      assert.ok(pod > created, `the pod came before the namespace: ${build.run.log.join('\n')}`);
    });

    it('leaves nothing behind', async () => {
      const { cluster } = build.standIns;
      await waitForNamespaceGone(cluster, buildNamespace);
      for (const kind of ['pods', 'secrets', 'serviceaccounts', 'events'] as const) {
        assert.deepEqual(cluster.listObjects(kind, buildNamespace), [], `${kind} left in ${buildNamespace}`);
      }
      assert.ok(build.run.log.some((line) => line === `Deleted namespace ${buildNamespace}.`), build.run.log.join('\n'));
      await assertNothingLeft(build);
      assertNoSecretInOutput(build);
    });
  });

  it('createNamespace with a service account fails before anything is created', async () => {
    const build = await runBuild({ files: SMALL_BUILD, inputs: { createNamespace: 'true', serviceAccount: 'image-pusher' } });

    assert.match(errors(build.run), /Inputs createNamespace and serviceAccount: .* cannot run under 'image-pusher'/);
    await expectNothingCreated(build);
  });

  it('createNamespace without rights on namespaces fails with a ClusterRole', async () => {
    const build = await buildAs('no-namespaces', BUILD_RULES, { inputs: { createNamespace: 'true' } });
    const text = errors(build.run);

    assert.match(text, /- create namespaces at the cluster scope\n/);
    assert.match(text, /- delete namespaces \(the namespace build-[0-9a-f]+-[0-9a-f]{8} itself\)\n/);
    assert.match(text, /- get serviceaccounts in namespace build-[0-9a-f]+-[0-9a-f]{8}\n/);
    assert.match(text, /kind: ClusterRole\n/);
    await expectNothingCreated(build);
  });

  it('createNamespace with cluster-wide rights succeeds', async () => {
    const build = await buildAs('namespace-builder', [...BUILD_RULES, ...NAMESPACE_RULES], { inputs: { createNamespace: 'true' } });

    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.deepEqual(warnings(build), []);
    await assertNothingLeft(build);
  });
});

describe('KanikoBuild permission check', function () {
  this.timeout(180_000);

  it('missing rights fail in seconds naming each one', async () => {
    const build = await buildAs('pod-reader', [{ verbs: ['get'], resources: ['pods'] }, { verbs: ['list'], resources: ['events'] }]);
    const text = errors(build.run);

    assert.ok(build.run.durationMs < 15_000, `the check took ${build.run.durationMs} ms`);
    assert.match(text, /lacks permissions that the build needs, so the task created nothing/);
    for (const missing of ['create pods', 'watch pods', 'delete pods', 'create secrets', 'delete secrets']) {
      assert.match(text, new RegExp(`  - ${missing} in namespace ${build.namespace}\\n`), missing);
    }
    assert.doesNotMatch(text, /- get pods in namespace/);
    assert.doesNotMatch(text, /- get pods\/log/, 'an optional permission is listed as required');
    assert.doesNotMatch(text, /- patch secrets/, 'an optional permission is listed as required');
    assert.match(text, new RegExp(`kind: Role\\nmetadata:\\n  name: kaniko-build\\n  namespace: ${build.namespace}\\n`));
    await expectNothingCreated(build);
  });

  it('namespaced Role with createNamespace asks for a ClusterRole', async () => {
    const { cluster } = await sharedStandIns();
    cluster.createNamespace('team-builds');
    const rules = [...BUILD_RULES, ...NAMESPACE_RULES].map((rule) => ({ ...rule, namespaces: ['team-builds'] }));
    const build = await buildAs('namespaced-only', rules, { inputs: { createNamespace: 'true', namespace: 'team-builds' } });
    const text = errors(build.run);

    assert.match(text, /lacks permissions that the build needs, so the task created nothing/);
    assert.match(text, / {2}- create namespaces at the cluster scope\n/);
    assert.match(text, /kind: ClusterRole\n/);
    assert.doesNotMatch(text, /refused the service connection/);
    await expectNothingCreated(build);
  });

  it('missing events only warns', async () => {
    const build = await buildAs('no-events', BUILD_RULES.filter((rule) => !rule.resources.includes('events')));

    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.deepEqual(warnings(build), [
      `The service connection's identity may not list events in namespace ${build.namespace}, so failure messages cannot show the pod's events. ` +
      'The build goes on; grant that permission to change this.',
    ]);
    await assertNothingLeft(build);
  });

  it('forbidden review warns once and builds', async () => {
    const build = await buildAs('no-reviews', BUILD_RULES, {}, false);

    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    const lines = warnings(build);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0], /did not answer the SelfSubjectAccessReview: HTTP 403 Forbidden: selfsubjectaccessreviews\.authorization\.k8s\.io is forbidden/);
    await assertNothingLeft(build);
  });

  describe('on a server without SelfSubjectAccessReview', () => {
    let standIns: StandIns;

    before(async () => {
      const azurite = await sharedAzurite();
      standIns = { azurite, cluster: await startLocalCluster(azurite, { authorizationApi: false }) };
    });

    after(async () => {
      await standIns.cluster.stop();
    });

    it('warns once and builds', async () => {
      const build = await runBuild({ standIns, files: SMALL_BUILD });

      assert.equal(build.run.result, 'Succeeded', errors(build.run));
      const lines = warnings(build);
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0], /did not answer the SelfSubjectAccessReview: HTTP 404 NotFound/);
      await assertNothingLeft(build);
    });
  });
});
