// Kubernetes service connection flavours and their failures, through the bundled task.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { parse, stringify } from 'yaml';
import type { LocalCluster } from '../../../tools/local-cluster/index';
import type { EndpointSpec } from '../../../tools/runner';
import { sharedStandIns } from '../stand-ins';
import {
  assertNoSecretInOutput, assertNothingLeft, containerExists, errors, kubeconfigEndpoint, runBuild, type BuildRun,
} from './harness';

const SMALL_BUILD = { Dockerfile: 'FROM alpine:3.20\nRUN echo connected\n' };

interface KubeconfigDocument {
  clusters: { name: string; cluster: Record<string, unknown> }[];
  users: { name: string; user: Record<string, unknown> }[];
  contexts: { name: string; context: Record<string, unknown> }[];
  'current-context': string;
}

/** Returns the stand-in's kubeconfig without its CA, so that the server certificate cannot be verified. */
function kubeconfigWithoutCa(kubeconfig: string): string {
  const document = parse(kubeconfig) as KubeconfigDocument;
  for (const entry of document.clusters) delete entry.cluster['certificate-authority-data'];
  return stringify(document);
}

/** Returns a connection that carries the cluster's token and CA as the Service Account and Azure Subscription kinds do. */
function tokenEndpoint(cluster: LocalCluster, data: Record<string, string>): EndpointSpec {
  return {
    url: cluster.url,
    scheme: 'Token',
    parameters: {
      apiToken: Buffer.from(cluster.adminToken).toString('base64'),
      serviceAccountCertificate: Buffer.from(cluster.caPem).toString('base64'),
    },
    data,
  };
}

async function expectNothingCreated(build: BuildRun, result = 'Failed'): Promise<void> {
  assert.equal(build.run.result, result);
  assert.equal(build.record, undefined, 'a pod was created');
  assert.equal(await containerExists(build), false, 'the blob container was created');
  await assertNothingLeft(build);
  assertNoSecretInOutput(build);
}

describe('KanikoBuild cluster connections', function () {
  this.timeout(120_000);

  it('Service Account connection with the namespace from the connection', async () => {
    const { cluster } = await sharedStandIns();
    const build = await runBuild({
      files: SMALL_BUILD,
      inputs: { namespace: undefined },
      clusterEndpoint: tokenEndpoint(cluster, { authorizationType: 'ServiceAccount', namespace: 'default' }),
    });
    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    const record = cluster.runs.find((run) => run.namespace === 'default' && run.digest === build.run.variables.imageDigest?.value);
    assert.ok(record, 'the pod did not run in the namespace default');
    assert.deepEqual(cluster.listObjects('pods', 'default'), []);
    assert.deepEqual(cluster.listObjects('secrets', 'default').filter((secret) => secret.metadata.name?.startsWith('kaniko-')), []);
    assertNoSecretInOutput(build);
  });

  it('Azure Subscription connection', async () => {
    const { cluster } = await sharedStandIns();
    cluster.createNamespace('aks-builds');
    const build = await runBuild({
      files: SMALL_BUILD,
      namespace: 'aks-builds',
      inputs: { namespace: undefined },
      clusterEndpoint: tokenEndpoint(cluster, {
        authorizationType: 'AzureSubscription',
        namespace: 'aks-builds',
        clusterId: '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks',
      }),
    });
    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.ok(build.record, 'the pod did not run in the connection namespace aks-builds');
    await assertNothingLeft(build);
    assertNoSecretInOutput(build);
  });

  it('unsupported connection kind fails before anything is created', async () => {
    const { cluster } = await sharedStandIns();
    const build = await runBuild({
      files: SMALL_BUILD,
      clusterEndpoint: { url: cluster.url, scheme: 'None', parameters: {}, data: { authorizationType: 'Certificate' } },
    });
    assert.match(errors(build.run), /uses the authentication method 'Certificate', which this version does not support/);
    await expectNothingCreated(build);
  });

  it('kubeconfig context chosen by the connection', async () => {
    const standIns = await sharedStandIns();
    const document = parse(standIns.cluster.kubeconfig()) as KubeconfigDocument;
    const good = document.contexts[0];
    document.contexts.push({ name: 'broken', context: { ...good.context, user: 'nobody' } });
    document.users.push({ name: 'nobody', user: { token: 'not-a-valid-token-for-this-cluster' } });
    document['current-context'] = 'broken';
    const build = await runBuild({
      files: SMALL_BUILD,
      clusterEndpoint: kubeconfigEndpoint(standIns, { kubeconfig: stringify(document), context: good.name }),
    });
    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    await assertNothingLeft(build);
  });

  it('unknown kubeconfig context fails before anything is created', async () => {
    const standIns = await sharedStandIns();
    const build = await runBuild({ files: SMALL_BUILD, clusterEndpoint: kubeconfigEndpoint(standIns, { context: 'staging' }) });
    assert.match(errors(build.run), /cluster context 'staging' is not in its kubeconfig \(contexts: local-cluster\)/);
    await expectNothingCreated(build);
  });

  it('unverifiable server certificate fails before anything is created', async () => {
    const standIns = await sharedStandIns();
    const build = await runBuild({
      files: SMALL_BUILD,
      clusterEndpoint: kubeconfigEndpoint(standIns, { kubeconfig: kubeconfigWithoutCa(standIns.cluster.kubeconfig()) }),
    });
    assert.match(errors(build.run), /Could not reach the Kubernetes API server https:\/\/127\.0\.0\.1:\d+/);
    assert.match(errors(build.run), /Accept untrusted certificates/);
    await expectNothingCreated(build);
  });

  it('accept untrusted certificates skips verification', async () => {
    const standIns = await sharedStandIns();
    const endpoint = kubeconfigEndpoint(standIns, { kubeconfig: kubeconfigWithoutCa(standIns.cluster.kubeconfig()) });
    endpoint.data = { ...endpoint.data, acceptUntrustedCerts: 'true' };
    const build = await runBuild({ files: SMALL_BUILD, clusterEndpoint: endpoint });
    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    await assertNothingLeft(build);
  });

  it('rejected token fails before anything is created', async () => {
    const standIns = await sharedStandIns();
    const build = await runBuild({
      files: SMALL_BUILD,
      clusterEndpoint: kubeconfigEndpoint(standIns, { kubeconfig: standIns.cluster.kubeconfig({ token: 'expired-or-revoked-token' }) }),
    });
    assert.match(errors(build.run), /refused the service connection in namespace build-[0-9a-f]+: HTTP 401 Unauthorized/);
    build.secrets.push('expired-or-revoked-token');
    await expectNothingCreated(build);
  });

  it('identity without rights on Secrets fails and cleans up', async () => {
    const standIns = await sharedStandIns();
    const token = standIns.cluster.addUser('pods-only', [{ verbs: ['get', 'list', 'watch', 'create', 'delete'], resources: ['pods', 'pods/log'] }]);
    const build = await runBuild({
      files: SMALL_BUILD,
      clusterEndpoint: kubeconfigEndpoint(standIns, { kubeconfig: standIns.cluster.kubeconfig({ token }) }),
    });
    build.secrets.push(token);
    assert.equal(build.run.result, 'Failed');
    assert.match(errors(build.run), /Could not create Secret build-[0-9a-f]+\/kaniko-4711-[0-9a-f]+-registry: HTTP 403 Forbidden: secrets is forbidden/);
    assert.equal(build.record, undefined, 'a pod was created');
    const warnings = build.run.issues.filter((issue) => issue.type === 'warning').map((issue) => issue.message);
    assert.deepEqual(warnings, [], 'a delete was attempted for a Secret that was never created');
    await assertNothingLeft(build);
    assertNoSecretInOutput(build);
  });

  it('identity without pods/log still gets the result', async () => {
    const standIns = await sharedStandIns();
    const token = standIns.cluster.addUser('no-log', [
      { verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'], resources: ['pods', 'secrets', 'events'] },
    ]);
    const build = await runBuild({
      files: SMALL_BUILD,
      clusterEndpoint: kubeconfigEndpoint(standIns, { kubeconfig: standIns.cluster.kubeconfig({ token }) }),
    });
    build.secrets.push(token);
    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    const warnings = build.run.issues.filter((issue) => issue.type === 'warning').map((issue) => issue.message).join('\n');
    assert.match(warnings, /Could not read the build log of pod kaniko-4711-[0-9a-f]+: HTTP 403 Forbidden/);
    assert.match(build.run.variables.imageDigest?.value ?? '', /^sha256:[a-f0-9]{64}$/);
    await assertNothingLeft(build);
    assertNoSecretInOutput(build);
  });

  it('server that never responds can be cancelled', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const standIns = await sharedStandIns();
      const port = (silent.address() as net.AddressInfo).port;
      const kubeconfig = standIns.cluster.kubeconfig().replace(/https:\/\/127\.0\.0\.1:\d+/, `https://127.0.0.1:${port}`);
      const build = await runBuild({
        files: SMALL_BUILD,
        clusterEndpoint: kubeconfigEndpoint(standIns, { kubeconfig }),
        cancel: { afterMs: 2_000 },
      });
      assert.equal(build.run.canceled, true);
      assert.deepEqual(build.run.signalsSent, ['SIGINT'], 'the task did not stop on SIGINT');
      await expectNothingCreated(build, 'Canceled');
    } finally {
      silent.close();
    }
  });
});
