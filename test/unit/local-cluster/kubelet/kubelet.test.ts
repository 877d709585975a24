import assert from 'node:assert/strict';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { V1Container, V1Pod, V1PodStatus } from '@kubernetes/client-node';
import { startAzurite, type AzuriteBlob } from '../../../../tools/azurite';
import { Kubelet, type KubeletOptions } from '../../../../tools/local-cluster/kubelet/index';
import { dockerConfigSecret, FakeClusterStore, makeContextArchive } from './helpers';

const NAMESPACE = 'builds';
const BLOB_HOST = 'devstoreaccount1.blob.core.windows.net';
const CONTEXT_URL = `https://${BLOB_HOST}/contexts/app.tar.gz`;
const REGISTRY = 'myreg.azurecr.io';
const IMAGE = 'ghcr.io/osscontainertools/kaniko:v1.28.3';

let azurite: AzuriteBlob;

async function uploadContext(blobName: string, files: Record<string, string>): Promise<void> {
  const credential = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
  const container = new BlobServiceClient(azurite.blobEndpoint, credential).getContainerClient('contexts');
  await container.createIfNotExists();
  const data = await makeContextArchive(files);
  await container.getBlockBlobClient(blobName).uploadData(data);
}

function kanikoContainer(overrides: Partial<V1Container> = {}): V1Container {
  return {
    name: 'kaniko',
    image: IMAGE,
    args: [`--context=${CONTEXT_URL}`, `--destination=${REGISTRY}/team/app:1`, '--digest-file=/dev/termination-log', '--log-format=text'],
    env: [{ name: 'AZURE_STORAGE_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'storage', key: 'key' } } }],
    volumeMounts: [{ name: 'docker-config', mountPath: '/kaniko/.docker', readOnly: true }],
    resources: { requests: { cpu: '500m', memory: '1Gi' } },
    ...overrides,
  };
}

function kanikoPod(name: string, container: Partial<V1Container> = {}, spec: Partial<V1Pod['spec']> = {}): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: NAMESPACE, name, uid: `uid-${name}` },
    spec: {
      restartPolicy: 'Never',
      containers: [kanikoContainer(container)],
      volumes: [{ name: 'docker-config', secret: { secretName: 'registry', items: [{ key: 'config.json', path: 'config.json' }] } }],
      ...spec,
    },
  };
}

function addSecrets(store: FakeClusterStore, registryPassword = 'secret'): void {
  store.addSecret({ metadata: { namespace: NAMESPACE, name: 'storage' }, data: { key: Buffer.from(azurite.accountKey).toString('base64') } });
  store.addSecret(dockerConfigSecret(NAMESPACE, 'registry', REGISTRY, 'builder', registryPassword));
}

function status(store: FakeClusterStore, name: string): V1PodStatus {
  return store.getPod(NAMESPACE, name)?.status ?? {};
}

function container(store: FakeClusterStore, name: string) {
  return status(store, name).containerStatuses?.[0];
}

function waitForPhase(store: FakeClusterStore, name: string, phase: string): Promise<void> {
  return store.waitFor(`pod ${name} to reach ${phase}`, () => status(store, name).phase === phase);
}

describe('kubelet emulation', function () {
  this.timeout(30_000);
  let store: FakeClusterStore;
  let kubelet: Kubelet;

  function startKubelet(options: Partial<KubeletOptions> = {}): Kubelet {
    kubelet = new Kubelet(store, {
      resolveBlobService: (host) => (host === BLOB_HOST ? azurite.blobEndpoint : undefined),
      registryCredentials: { [REGISTRY]: { username: 'builder', password: 'secret' } },
      stepDelayMs: 2,
      retryDelayMs: 20,
      ...options,
    });
    return kubelet;
  }

  before(async () => {
    azurite = await startAzurite();
    await uploadContext('app.tar.gz', {
      'Dockerfile': 'FROM python:3.12-slim\nCOPY app.py /app/\nRUN echo "building app"\n',
      'app.py': 'print("hello")\n',
    });
    await uploadContext('failing.tar.gz', { Dockerfile: 'FROM alpine:3.20\nRUN echo about to fail && exit 3\n' });
  });

  after(async () => {
    await azurite?.stop();
  });

  beforeEach(() => {
    store = new FakeClusterStore();
  });

  afterEach(async () => {
    await kubelet?.stop();
  });

  it('succeeds with the digest message', async () => {
    addSecrets(store);
    startKubelet().podCreated(store.addPod(kanikoPod('build-ok')));
    await waitForPhase(store, 'build-ok', 'Succeeded');

    const terminated = container(store, 'build-ok')?.state?.terminated;
    assert.equal(terminated?.exitCode, 0);
    assert.equal(terminated?.reason, 'Completed');
    assert.match(terminated?.message ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(kubelet.runs[0].digest, terminated?.message);
    assert.equal(kubelet.runs[0].exitCode, 0);
    assert.deepEqual(kubelet.runs[0].contextFiles, ['Dockerfile', 'app.py']);
    assert.deepEqual(kubelet.runs[0].args, kanikoContainer().args);

    const pod = store.getPod(NAMESPACE, 'build-ok');
    assert.equal(pod?.spec?.nodeName, 'local-node-1');
    assert.equal(pod?.status?.hostIP, '10.224.0.4');
    assert.match(pod?.status?.podIP ?? '', /^10\.244\.0\.\d+$/);
    assert.ok(pod?.status?.startTime instanceof Date);
    const ready = pod?.status?.conditions?.find((condition) => condition.type === 'Ready');
    assert.equal(ready?.reason, 'PodCompleted');

    const reasons = store.eventsFor(NAMESPACE, 'build-ok').map((event) => event.reason);
    assert.deepEqual(reasons, ['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']);
    assert.ok(store.logEnded(NAMESPACE, 'build-ok', 'kaniko'));
    const log = store.logLines(NAMESPACE, 'build-ok', 'kaniko');
    assert.ok(log.includes('building app'));
    assert.ok(log.some((line) => line.includes(`msg="Pushed ${REGISTRY}/team/app@${terminated?.message}"`)));
  });

  it('reports the running state', async () => {
    addSecrets(store);
    startKubelet().podCreated(store.addPod(kanikoPod('build-running')));
    await waitForPhase(store, 'build-running', 'Succeeded');
    const history = store.statusHistory.get(`${NAMESPACE}/build-running`) ?? [];
    const running = history.find((entry) => entry.phase === 'Running');
    assert.ok(running, 'a Running status was published');
    assert.ok(running?.containerStatuses?.[0]?.state?.running?.startedAt instanceof Date);
    assert.equal(running?.containerStatuses?.[0]?.ready, true);
    const creating = history.find((entry) => entry.containerStatuses?.[0]?.state?.waiting?.reason === 'ContainerCreating');
    assert.ok(creating, 'a ContainerCreating status was published first');
  });

  it('fails with the RUN exit code', async () => {
    addSecrets(store);
    const args = [`--context=https://${BLOB_HOST}/contexts/failing.tar.gz`, `--destination=${REGISTRY}/team/app:1`, '--digest-file=/dev/termination-log'];
    startKubelet().podCreated(store.addPod(kanikoPod('build-exit', { args })));
    await waitForPhase(store, 'build-exit', 'Failed');

    const terminated = container(store, 'build-exit')?.state?.terminated;
    assert.equal(terminated?.exitCode, 3);
    assert.equal(terminated?.reason, 'Error');
    assert.equal(terminated?.message, undefined);
    assert.equal(kubelet.runs[0].exitCode, 3);
    assert.equal(kubelet.runs[0].digest, undefined);
    const log = store.logLines(NAMESPACE, 'build-exit', 'kaniko');
    assert.ok(log.includes('about to fail'));
  });

  it('rejects wrong registry credentials', async () => {
    addSecrets(store, 'not-the-password');
    startKubelet().podCreated(store.addPod(kanikoPod('build-unauthorized')));
    await waitForPhase(store, 'build-unauthorized', 'Failed');
    assert.equal(container(store, 'build-unauthorized')?.state?.terminated?.exitCode, 1);
    const log = store.logLines(NAMESPACE, 'build-unauthorized', 'kaniko');
    assert.match(log.at(-1) ?? '', /^error checking push permissions: checking push permission for "myreg\.azurecr\.io\/team\/app:1": .*UNAUTHORIZED/);
  });

  it('rejects a config without the registry', async () => {
    addSecrets(store);
    store.addSecret(dockerConfigSecret(NAMESPACE, 'registry', 'other.azurecr.io', 'builder', 'secret'));
    startKubelet().podCreated(store.addPod(kanikoPod('build-no-auth')));
    await waitForPhase(store, 'build-no-auth', 'Failed');
    const log = store.logLines(NAMESPACE, 'build-no-auth', 'kaniko');
    assert.match(log.at(-1) ?? '', /POST https:\/\/myreg\.azurecr\.io\/v2\/team\/app\/blobs\/uploads\/: UNAUTHORIZED/);
  });

  it('fails without the storage key', async () => {
    addSecrets(store);
    startKubelet().podCreated(store.addPod(kanikoPod('build-no-key', { env: [] })));
    await waitForPhase(store, 'build-no-key', 'Failed');
    const log = store.logLines(NAMESPACE, 'build-no-key', 'kaniko');
    assert.equal(log[0], 'Error: error resolving source context: AZURE_STORAGE_ACCESS_KEY environment variable is not set');
  });

  it('fails with a wrong storage key', async () => {
    addSecrets(store);
    const env = [{ name: 'AZURE_STORAGE_ACCESS_KEY', value: Buffer.from('wrong key').toString('base64') }];
    startKubelet().podCreated(store.addPod(kanikoPod('build-bad-key', { env })));
    await waitForPhase(store, 'build-bad-key', 'Failed');
    const log = store.logLines(NAMESPACE, 'build-bad-key', 'kaniko');
    assert.equal(log[0], 'Error: error resolving source context: HEAD https://devstoreaccount1.blob.core.windows.net/contexts/app.tar.gz');
    assert.ok(log.some((line) => line.startsWith('RESPONSE 403: 403 ')), 'the response status is printed');
    assert.ok(log.some((line) => /^ERROR CODE: (AuthenticationFailed|AuthorizationFailure)$/.test(line)), 'the error code is printed');
  });

  it('doubles the blob path in v1.23.2', async () => {
    addSecrets(store);
    startKubelet().podCreated(store.addPod(kanikoPod('build-old', { image: 'gcr.io/kaniko-project/executor:v1.23.2' })));
    await waitForPhase(store, 'build-old', 'Failed');
    const log = store.logLines(NAMESPACE, 'build-old', 'kaniko');
    assert.equal(log[0], 'Error: error resolving source context: HEAD https://devstoreaccount1.blob.core.windows.net/contexts/app.tar.gz/contexts/app.tar.gz');
    assert.ok(log.includes('RESPONSE 404: 404 The specified blob does not exist.'));
    assert.ok(log.includes('ERROR CODE: BlobNotFound'));
  });

  it('downloads the blob in v1.25.4', async () => {
    addSecrets(store);
    startKubelet().podCreated(store.addPod(kanikoPod('build-fixed', { image: 'martizih/kaniko:v1.25.4-debug' })));
    await waitForPhase(store, 'build-fixed', 'Succeeded');
  });

  it('waits for a missing env Secret', async () => {
    store.addSecret(dockerConfigSecret(NAMESPACE, 'registry', REGISTRY, 'builder', 'secret'));
    startKubelet().podCreated(store.addPod(kanikoPod('build-no-secret')));
    await store.waitFor('CreateContainerConfigError', () => container(store, 'build-no-secret')?.state?.waiting?.reason === 'CreateContainerConfigError');
    assert.equal(container(store, 'build-no-secret')?.state?.waiting?.message, 'secret "storage" not found');
    assert.ok(store.eventsFor(NAMESPACE, 'build-no-secret').some((event) => event.type === 'Warning' && event.message === 'Error: secret "storage" not found'));

    addSecrets(store);
    await waitForPhase(store, 'build-no-secret', 'Succeeded');
  });

  it('names a missing Secret key', async () => {
    addSecrets(store);
    const env = [{ name: 'AZURE_STORAGE_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'storage', key: 'account-key' } } }];
    startKubelet().podCreated(store.addPod(kanikoPod('build-no-key-in-secret', { env })));
    await store.waitFor('CreateContainerConfigError', () => container(store, 'build-no-key-in-secret')?.state?.waiting?.reason === 'CreateContainerConfigError');
    assert.equal(container(store, 'build-no-key-in-secret')?.state?.waiting?.message, `couldn't find key account-key in Secret ${NAMESPACE}/storage`);
  });

  it('retries a missing volume Secret', async () => {
    store.addSecret({ metadata: { namespace: NAMESPACE, name: 'storage' }, data: { key: Buffer.from(azurite.accountKey).toString('base64') } });
    startKubelet().podCreated(store.addPod(kanikoPod('build-no-volume')));
    const failedMounts = () => store.eventsFor(NAMESPACE, 'build-no-volume').filter((event) => event.reason === 'FailedMount');
    await store.waitFor('two FailedMount events', () => failedMounts().length >= 2);
    assert.equal(failedMounts()[0].message, 'MountVolume.SetUp failed for volume "docker-config" : secret "registry" not found');
    assert.equal(container(store, 'build-no-volume')?.state?.waiting?.reason, 'ContainerCreating');
    assert.equal(status(store, 'build-no-volume').phase, 'Pending');

    store.addSecret(dockerConfigSecret(NAMESPACE, 'registry', REGISTRY, 'builder', 'secret'));
    await waitForPhase(store, 'build-no-volume', 'Succeeded');
  });

  it('fails to pull a non-kaniko image', async () => {
    addSecrets(store);
    startKubelet().podCreated(store.addPod(kanikoPod('build-bad-image', { image: 'docker.io/library/busybox:1.36' })));
    await store.waitFor('ImagePullBackOff', () => container(store, 'build-bad-image')?.state?.waiting?.reason === 'ImagePullBackOff');
    const history = store.statusHistory.get(`${NAMESPACE}/build-bad-image`) ?? [];
    const pullError = history.find((entry) => entry.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImagePull');
    assert.match(pullError?.containerStatuses?.[0]?.state?.waiting?.message ?? '', /docker\.io\/library\/busybox:1\.36: not found/);
    const warning = store.eventsFor(NAMESPACE, 'build-bad-image').find((event) => event.type === 'Warning' && event.message.startsWith('Failed to pull image'));
    assert.match(warning?.message ?? '', /^Failed to pull image "docker\.io\/library\/busybox:1\.36"/);
    assert.equal(status(store, 'build-bad-image').phase, 'Pending');
  });

  it('fails to pull an unreleased tag', async () => {
    addSecrets(store);
    startKubelet().podCreated(store.addPod(kanikoPod('build-future', { image: 'gcr.io/kaniko-project/executor:v1.25.0' })));
    await store.waitFor('ImagePullBackOff', () => container(store, 'build-future')?.state?.waiting?.reason === 'ImagePullBackOff');
  });

  it('runs the executor given as command', async () => {
    addSecrets(store);
    startKubelet().podCreated(store.addPod(kanikoPod('build-command', { command: ['/kaniko/executor'] })));
    await waitForPhase(store, 'build-command', 'Succeeded');
  });

  it('fails a command other than the executor', async () => {
    addSecrets(store);
    startKubelet().podCreated(store.addPod(kanikoPod('build-shell', { command: ['/busybox/sh', '-c'] })));
    await waitForPhase(store, 'build-shell', 'Failed');
    const terminated = container(store, 'build-shell')?.state?.terminated;
    assert.equal(terminated?.reason, 'StartError');
    assert.equal(terminated?.exitCode, 128);
    assert.match(terminated?.message ?? '', /exec: "\/busybox\/sh": executable file not found in \$PATH/);
  });

  it('stops a pod past its deadline', async () => {
    addSecrets(store);
    startKubelet({ stepDelayMs: 150 }).podCreated(store.addPod(kanikoPod('build-slow', {}, { activeDeadlineSeconds: 1 })));
    await waitForPhase(store, 'build-slow', 'Failed');
    const pod = status(store, 'build-slow');
    assert.equal(pod.reason, 'DeadlineExceeded');
    assert.equal(pod.message, 'Pod was active on the node longer than the specified deadline');
    assert.equal(container(store, 'build-slow')?.state?.terminated?.exitCode, 137);
    assert.ok(store.eventsFor(NAMESPACE, 'build-slow').some((event) => event.reason === 'DeadlineExceeded'));
    assert.ok(store.logEnded(NAMESPACE, 'build-slow', 'kaniko'));
  });

  it('stops and removes a deleted pod', async () => {
    addSecrets(store);
    startKubelet({ stepDelayMs: 100 }).podCreated(store.addPod(kanikoPod('build-deleted')));
    await store.waitFor('the build to start', () =>
      store.logLines(NAMESPACE, 'build-deleted', 'kaniko').some((line) => line.includes('Retrieving image manifest')));
    const pod = store.getPod(NAMESPACE, 'build-deleted');
    kubelet.podDeleting(pod!, 30);
    await store.waitFor('the pod to be removed', () => store.deleted.includes(`${NAMESPACE}/build-deleted`));

    assert.equal(store.getPod(NAMESPACE, 'build-deleted'), undefined);
    assert.ok(store.eventsFor(NAMESPACE, 'build-deleted').some((event) => event.reason === 'Killing' && event.message === 'Stopping container kaniko'));
    assert.ok(store.logEnded(NAMESPACE, 'build-deleted', 'kaniko'));
    assert.equal(kubelet.runs[0].exitCode, 137);
    assert.deepEqual(kubelet.runs[0].contextFiles, ['Dockerfile', 'app.py']);
    const linesAtDeletion = store.logLines(NAMESPACE, 'build-deleted', 'kaniko').length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(store.logLines(NAMESPACE, 'build-deleted', 'kaniko').length, linesAtDeletion, 'no log lines after deletion');
  });

  it('keeps an oversized pod Pending', async () => {
    addSecrets(store);
    const resources = { requests: { cpu: '1', memory: '16Gi' } };
    startKubelet().podCreated(store.addPod(kanikoPod('build-big', { resources })));
    const scheduled = status(store, 'build-big').conditions?.find((condition) => condition.type === 'PodScheduled');
    assert.equal(status(store, 'build-big').phase, 'Pending');
    assert.equal(scheduled?.status, 'False');
    assert.equal(scheduled?.reason, 'Unschedulable');
    assert.equal(scheduled?.message, '0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
    assert.ok(store.eventsFor(NAMESPACE, 'build-big').some((event) => event.reason === 'FailedScheduling'));
    assert.equal(store.getPod(NAMESPACE, 'build-big')?.spec?.nodeName, undefined);
  });

  it('keeps a mismatched nodeSelector Pending', async () => {
    addSecrets(store);
    startKubelet().podCreated(store.addPod(kanikoPod('build-selector', {}, { nodeSelector: { agentpool: 'builders' } })));
    const scheduled = status(store, 'build-selector').conditions?.find((condition) => condition.type === 'PodScheduled');
    assert.match(scheduled?.message ?? '', /^0\/1 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector\./);
  });

  it('schedules a waiting pod later', async () => {
    addSecrets(store);
    const resources = { requests: { memory: '5Gi' } };
    startKubelet();
    kubelet.podCreated(store.addPod(kanikoPod('build-first', { resources })));
    kubelet.podCreated(store.addPod(kanikoPod('build-second', { resources })));
    assert.equal(status(store, 'build-second').conditions?.[0]?.reason, 'Unschedulable');
    await waitForPhase(store, 'build-first', 'Succeeded');
    await waitForPhase(store, 'build-second', 'Succeeded');
  });

  it('stops all runs without updates', async () => {
    addSecrets(store);
    startKubelet({ stepDelayMs: 100 }).podCreated(store.addPod(kanikoPod('build-stopped')));
    await waitForPhase(store, 'build-stopped', 'Running');
    await kubelet.stop();
    const updates = store.statusHistory.get(`${NAMESPACE}/build-stopped`)?.length;
    const lines = store.logLines(NAMESPACE, 'build-stopped', 'kaniko').length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(store.statusHistory.get(`${NAMESPACE}/build-stopped`)?.length, updates);
    assert.equal(store.logLines(NAMESPACE, 'build-stopped', 'kaniko').length, lines);
  });
});
