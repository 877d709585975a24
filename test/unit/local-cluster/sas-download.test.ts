// The `sasDownload` build context end to end through the local cluster's API. Azurite stores the
// archive, and a Secret carries its URL with a read-only SAS for that one blob. The pod's curl
// init container downloads the archive into an emptyDir, and the kaniko container builds from it.
import assert from 'node:assert/strict';
import {
  BlobSASPermissions, BlobServiceClient, generateBlobSASQueryParameters, StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { startAzurite, type AzuriteBlob } from '../../../tools/azurite';
import { LocalCluster } from '../../../tools/local-cluster/index';
import { failure, kubeConfigFor } from './apiserver/helpers';
import { dockerConfigSecret, makeContextArchive } from './kubelet/helpers';

const NAMESPACE = 'builds';
const REGISTRY = 'registry.stand-in.test';
const KANIKO_IMAGE = 'ghcr.io/osscontainertools/kaniko:v1.28.3';
const CURL_IMAGE = 'curlimages/curl:8.16.0';
const CONTAINER = 'contexts';
/** curl's arguments with the URL that the kubelet puts in from the container's CONTEXT_URL variable. */
const CURL_ARGS = ['--fail', '--silent', '--show-error', '--location', '--retry', '3', '--output', '/workspace/context.tar.gz', '$(CONTEXT_URL)'];

describe('sasDownload context through the local cluster', function () {
  this.timeout(60_000);
  let azurite: AzuriteBlob;
  let cluster: LocalCluster;
  let core: CoreV1Api;
  let credential: StorageSharedKeyCredential;

  before(async () => {
    azurite = await startAzurite();
    credential = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
    const container = new BlobServiceClient(azurite.blobEndpoint, credential).getContainerClient(CONTAINER);
    await container.createIfNotExists();
    const archive = await makeContextArchive({ Dockerfile: 'FROM alpine:3.20\nCOPY app.py /app/\n', 'app.py': 'print("hello")\n' });
    await container.getBlockBlobClient('build-1.tar.gz').uploadData(archive);

    cluster = await LocalCluster.start({
      kubelet: {
        resolveBlobService: () => undefined,
        registryCredentials: { [REGISTRY]: { username: 'builder', password: 'registry-password' } },
        stepDelayMs: 2,
        retryDelayMs: 20,
      },
    });
    cluster.createNamespace(NAMESPACE);
    core = kubeConfigFor(cluster.kubeconfig({ namespace: NAMESPACE })).makeApiClient(CoreV1Api);
    await core.createNamespacedSecret({ namespace: NAMESPACE, body: dockerConfigSecret(NAMESPACE, 'registry', REGISTRY, 'builder', 'registry-password') });
  });

  after(async () => {
    await cluster?.stop();
    await azurite?.stop();
  });

  /** Returns the blob's URL with a SAS that allows only reading it until `expiresOn`. */
  function readOnlySasUrl(blobName: string, expiresOn: Date): string {
    const sas = generateBlobSASQueryParameters(
      { containerName: CONTAINER, blobName, permissions: BlobSASPermissions.parse('r'), expiresOn },
      credential,
    ).toString();
    return `${azurite.blobEndpoint}/${CONTAINER}/${blobName}?${sas}`;
  }

  async function createBuild(name: string, contextUrl: string, curlArgs?: string[]): Promise<void> {
    await core.createNamespacedSecret({
      namespace: NAMESPACE,
      body: { metadata: { name: `${name}-context` }, type: 'Opaque', stringData: { CONTEXT_URL: contextUrl } },
    });
    await core.createNamespacedPod({ namespace: NAMESPACE, body: buildPod(name, curlArgs) });
  }

  async function readPod(name: string): Promise<V1Pod> {
    return core.readNamespacedPod({ namespace: NAMESPACE, name });
  }

  async function waitForPhase(name: string, phase: string): Promise<V1Pod> {
    let pod: V1Pod | undefined;
    const deadline = Date.now() + 30_000;
    while (pod?.status?.phase !== phase) {
      if (Date.now() > deadline) throw new Error(`pod ${name} did not reach ${phase}; its status: ${JSON.stringify(pod?.status)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      pod = await readPod(name);
    }
    return pod;
  }

  it('builds from the archive that the init container downloads', async () => {
    await createBuild('build-ok', readOnlySasUrl('build-1.tar.gz', new Date(Date.now() + 3_600_000)));
    const pod = await waitForPhase('build-ok', 'Succeeded');

    const fetch = pod.status?.initContainerStatuses?.[0];
    assert.equal(fetch?.name, 'fetch-context');
    assert.equal(fetch?.state?.terminated?.exitCode, 0);
    assert.equal(fetch?.state?.terminated?.reason, 'Completed');
    assert.equal(fetch?.ready, true);
    const kaniko = pod.status?.containerStatuses?.[0];
    assert.equal(kaniko?.state?.terminated?.exitCode, 0);
    assert.match(kaniko?.state?.terminated?.message ?? '', /^sha256:[0-9a-f]{64}$/);
    const run = cluster.runs.find((candidate) => candidate.name === 'build-ok');
    assert.deepEqual(run?.contextFiles, ['Dockerfile', 'app.py']);

    const curlLog = await core.readNamespacedPodLog({ namespace: NAMESPACE, name: 'build-ok', container: 'fetch-context' });
    assert.equal(curlLog, '', 'curl --silent --show-error prints nothing when the download works');
  });

  it('fails the pod when Azurite rejects an expired SAS', async () => {
    await createBuild('build-expired', readOnlySasUrl('build-1.tar.gz', new Date(Date.now() - 60_000)));
    const pod = await waitForPhase('build-expired', 'Failed');

    const fetch = pod.status?.initContainerStatuses?.[0];
    assert.equal(fetch?.state?.terminated?.exitCode, 22);
    assert.equal(fetch?.state?.terminated?.reason, 'Error');
    assert.equal(pod.status?.containerStatuses?.[0]?.state?.waiting?.reason, 'PodInitializing');
    const initialized = pod.status?.conditions?.find((condition) => condition.type === 'Initialized');
    assert.equal(initialized?.status, 'False');
    assert.equal(initialized?.reason, 'ContainersNotInitialized');
    assert.equal(initialized?.message, 'containers with incomplete status: [fetch-context]');

    const curlLog = await core.readNamespacedPodLog({ namespace: NAMESPACE, name: 'build-expired', container: 'fetch-context' });
    assert.equal(curlLog, 'curl: (22) The requested URL returned error: 403\n');
    const { code, status } = await failure(core.readNamespacedPodLog({ namespace: NAMESPACE, name: 'build-expired', container: 'kaniko' }));
    assert.equal(code, 400);
    assert.equal(status.message, 'container "kaniko" in pod "build-expired" is waiting to start: PodInitializing');
    assert.equal(cluster.runs.find((candidate) => candidate.name === 'build-expired')?.exitCode, undefined, 'kaniko never started');
  });

  it('fails the pod when the SAS names another blob', async () => {
    const otherBlobSas = readOnlySasUrl('other.tar.gz', new Date(Date.now() + 3_600_000)).split('?')[1];
    await createBuild('build-other-blob', `${azurite.blobEndpoint}/${CONTAINER}/build-1.tar.gz?${otherBlobSas}`);
    const pod = await waitForPhase('build-other-blob', 'Failed');
    assert.equal(pod.status?.initContainerStatuses?.[0]?.state?.terminated?.exitCode, 22);
    const curlLog = await core.readNamespacedPodLog({ namespace: NAMESPACE, name: 'build-other-blob', container: 'fetch-context' });
    assert.equal(curlLog, 'curl: (22) The requested URL returned error: 403\n');
  });

  it('builds with the URL kept out of curl arguments', async () => {
    // curl 8.3.0 and later read the URL from the environment with --variable and --expand-url,
    // so the SAS is neither in the pod spec nor in curl's argument list.
    const args = ['--fail', '--silent', '--show-error', '--location', '--retry', '3', '--output', '/workspace/context.tar.gz',
      '--variable', '%CONTEXT_URL', '--expand-url', '{{CONTEXT_URL}}'];
    await createBuild('build-variable', readOnlySasUrl('build-1.tar.gz', new Date(Date.now() + 3_600_000)), args);
    const pod = await waitForPhase('build-variable', 'Succeeded');
    assert.deepEqual(pod.spec?.initContainers?.[0]?.args, args);
    assert.deepEqual(cluster.runs.find((candidate) => candidate.name === 'build-variable')?.contextFiles, ['Dockerfile', 'app.py']);
  });

  it('waits for the init container before the kaniko container starts', async () => {
    await createBuild('build-order', readOnlySasUrl('build-1.tar.gz', new Date(Date.now() + 3_600_000)));
    await waitForPhase('build-order', 'Succeeded');
    const list = await core.listNamespacedEvent({ namespace: NAMESPACE, fieldSelector: 'involvedObject.name=build-order' });
    const started = list.items.filter((event) => event.reason === 'Started').map((event) => event.message);
    assert.deepEqual(started, ['Started container fetch-context', 'Started container kaniko']);
  });
});

/** Returns the pod of a `sasDownload` build as the task creates it, with other curl arguments when given. */
function buildPod(name: string, curlArgs = CURL_ARGS): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NAMESPACE },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      initContainers: [{
        name: 'fetch-context',
        image: CURL_IMAGE,
        command: ['curl'],
        args: curlArgs,
        env: [{ name: 'CONTEXT_URL', valueFrom: { secretKeyRef: { name: `${name}-context`, key: 'CONTEXT_URL' } } }],
        volumeMounts: [{ name: 'workspace', mountPath: '/workspace' }],
      }],
      containers: [{
        name: 'kaniko',
        image: KANIKO_IMAGE,
        args: [
          '--context=tar:///workspace/context.tar.gz',
          `--destination=${REGISTRY}/team/app:1`,
          '--digest-file=/dev/termination-log',
          '--log-format=text',
        ],
        volumeMounts: [
          { name: 'workspace', mountPath: '/workspace' },
          { name: 'docker-config', mountPath: '/kaniko/.docker', readOnly: true },
        ],
      }],
      volumes: [
        { name: 'workspace', emptyDir: {} },
        { name: 'docker-config', secret: { secretName: 'registry', items: [{ key: 'config.json', path: 'config.json' }] } },
      ],
    },
  };
}
