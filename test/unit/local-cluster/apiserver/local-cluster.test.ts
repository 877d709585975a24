import assert from 'node:assert/strict';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { LocalCluster } from '../../../../tools/local-cluster/index';
import { failure, kubeConfigFor, simplePod, waitFor } from './helpers';

describe('LocalCluster with its kubelet', () => {
  let cluster: LocalCluster;
  let core: CoreV1Api;

  before(async () => {
    cluster = await LocalCluster.start({ kubelet: { resolveBlobService: () => undefined, stepDelayMs: 1, retryDelayMs: 10 } });
    cluster.createNamespace('builds');
    core = kubeConfigFor(cluster.kubeconfig({ namespace: 'builds' })).makeApiClient(CoreV1Api);
  });

  after(async () => {
    await cluster.stop();
  });

  it('needs kubelet options or a stand-in', async () => {
    await assert.rejects(LocalCluster.start({}), /needs options\.kubelet/);
  });

  it('schedules a pod, reports the failed pull, and deletes it', async () => {
    await core.createNamespacedPod({ namespace: 'builds', body: simplePod('busybox', { containers: [{ name: 'main', image: 'busybox:1.36' }] }) });
    let reason = '';
    await waitFor(() => {
      const pod = cluster.listObjects('pods', 'builds')[0] as { spec?: { nodeName?: string }; status?: { containerStatuses?: { state?: { waiting?: { reason?: string } } }[] } } | undefined;
      reason = pod?.status?.containerStatuses?.[0]?.state?.waiting?.reason ?? '';
      return Boolean(pod?.spec?.nodeName) && (reason === 'ErrImagePull' || reason === 'ImagePullBackOff');
    }, 'the failed image pull');
    assert.equal(cluster.runs.length, 1);
    assert.equal(cluster.runs[0].name, 'busybox');

    const { code, status } = await failure(core.readNamespacedPodLog({ namespace: 'builds', name: 'busybox' }));
    assert.equal(code, 400);
    assert.match(status.message, /^container "main" in pod "busybox" is waiting to start: (image can't be pulled|trying and failing to pull image)$/);
    const events = await core.listNamespacedEvent({ namespace: 'builds', fieldSelector: 'involvedObject.name=busybox' });
    assert.ok(events.items.some((event) => event.reason === 'Scheduled'));

    await core.deleteNamespacedPod({ namespace: 'builds', name: 'busybox' });
    await waitFor(() => cluster.listObjects('pods', 'builds').length === 0, 'the kubelet to finalize the deletion');
  });

  /** Creates a Secret with the Dockerfile and a kaniko pod that builds it from /workspace without pushing. */
  async function startBuild(name: string, dockerfile: string, limits: Record<string, string>): Promise<void> {
    await core.createNamespacedSecret({ namespace: 'builds', body: { metadata: { name }, stringData: { Dockerfile: dockerfile } } });
    const pod = simplePod(name, {
      containers: [{
        name: 'kaniko',
        image: 'ghcr.io/osscontainertools/kaniko:v1.28.3',
        args: ['--context=dir:///workspace', '--no-push', '--log-format=text'],
        volumeMounts: [{ name: 'context', mountPath: '/workspace' }],
        resources: { limits },
      }],
      volumes: [{ name: 'context', secret: { secretName: name } }],
    });
    await core.createNamespacedPod({ namespace: 'builds', body: pod });
    await waitFor(() => ['Succeeded', 'Failed'].includes(readPod(name)?.status?.phase ?? ''), `pod ${name} to finish`, 10_000);
  }

  function readPod(name: string): V1Pod | undefined {
    return cluster.listObjects('pods', 'builds').find((pod) => pod.metadata.name === name) as V1Pod | undefined;
  }

  it('reports an OOM kill as an event of the node', async () => {
    await startBuild('oom', 'FROM alpine:3.20\nRUN head -c 100M /dev/zero > /big\n', { memory: '128Mi' });
    const pod = await core.readNamespacedPod({ namespace: 'builds', name: 'oom' });
    assert.equal(pod.status?.phase, 'Failed');
    assert.equal(pod.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'OOMKilled');
    assert.equal(pod.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 137);

    const events = await core.listNamespacedEvent({ namespace: 'default', fieldSelector: 'involvedObject.kind=Node,reason=OOMKilling' });
    assert.equal(events.items.length, 1);
    const event = events.items[0];
    assert.equal(event.involvedObject.name, 'local-node-1');
    assert.equal(event.involvedObject.uid, 'local-node-1');
    assert.equal(event.type, 'Warning');
    assert.equal(event.source?.component, 'kernel-monitor');
    assert.equal(event.source?.host, 'local-node-1');
    assert.match(event.message ?? '', /^Memory cgroup out of memory: Killed process \d+ \(executor\) /);
  });

  it('evicts a pod past its ephemeral storage', async () => {
    await startBuild('evicted', 'FROM alpine:3.20\nRUN dd if=/dev/zero of=/fill bs=1M count=300\n', { 'ephemeral-storage': '256Mi' });
    const pod = await core.readNamespacedPod({ namespace: 'builds', name: 'evicted' });
    assert.equal(pod.status?.phase, 'Failed');
    assert.equal(pod.status?.reason, 'Evicted');
    assert.equal(pod.status?.message, 'Pod ephemeral local storage usage exceeds the total limit of containers 256Mi. ');
    assert.equal(pod.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 137);

    const events = await core.listNamespacedEvent({ namespace: 'builds', fieldSelector: 'involvedObject.name=evicted' });
    const evicted = events.items.find((event) => event.reason === 'Evicted');
    assert.equal(evicted?.type, 'Warning');
    assert.equal(evicted?.message, pod.status?.message);
    assert.equal(evicted?.source?.component, 'kubelet');
    const killing = events.items.find((event) => event.reason === 'Killing');
    assert.equal(killing?.message, 'Stopping container kaniko');
  });
});
