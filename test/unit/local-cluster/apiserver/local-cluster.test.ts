import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
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
});
