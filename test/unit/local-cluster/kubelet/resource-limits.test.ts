import assert from 'node:assert/strict';
import type { V1Pod, V1PodStatus, V1ResourceRequirements } from '@kubernetes/client-node';
import { Kubelet, type KubeletOptions } from '../../../../tools/local-cluster/kubelet/index';
import { FakeClusterStore } from './helpers';

const NAMESPACE = 'limits';
const IMAGE = 'ghcr.io/osscontainertools/kaniko:v1.28.3';

/** Returns a kaniko pod that builds the Dockerfile from a Secret mounted at /workspace, without pushing. */
function buildPod(name: string, resources: V1ResourceRequirements, spec: Partial<V1Pod['spec']> = {}): V1Pod {
  return {
    metadata: { namespace: NAMESPACE, name, uid: `uid-${name}` },
    spec: {
      restartPolicy: 'Never',
      containers: [{
        name: 'kaniko',
        image: IMAGE,
        args: ['--context=dir:///workspace', '--no-push', '--log-format=text'],
        volumeMounts: [{ name: 'context', mountPath: '/workspace', readOnly: true }],
        resources,
      }],
      volumes: [{ name: 'context', secret: { secretName: name } }],
      ...spec,
    },
  };
}

describe('kubelet resource limits', function () {
  this.timeout(20_000);
  let store: FakeClusterStore;
  let kubelet: Kubelet | undefined;

  beforeEach(() => {
    store = new FakeClusterStore();
  });

  afterEach(async () => {
    await kubelet?.stop();
    kubelet = undefined;
  });

  function run(name: string, dockerfile: string, resources: V1ResourceRequirements, options: Partial<KubeletOptions> = {}, spec: Partial<V1Pod['spec']> = {}): void {
    store.addSecret({ metadata: { namespace: NAMESPACE, name }, data: { Dockerfile: Buffer.from(dockerfile).toString('base64') } });
    kubelet = new Kubelet(store, { resolveBlobService: () => undefined, stepDelayMs: 1, retryDelayMs: 20, ...options });
    kubelet.podCreated(store.addPod(buildPod(name, resources, spec)));
  }

  function status(name: string): V1PodStatus {
    return store.getPod(NAMESPACE, name)?.status ?? {};
  }

  async function finished(name: string): Promise<V1PodStatus> {
    await store.waitFor(`pod ${name} to finish`, () => ['Succeeded', 'Failed'].includes(status(name).phase ?? ''));
    return status(name);
  }

  it('OOM-kills a build past its memory limit', async () => {
    run('oom', 'FROM alpine:3.20\nRUN echo before && head -c 50M /dev/zero > /big && echo after\n', { limits: { memory: '100Mi' } });
    const pod = await finished('oom');
    assert.equal(pod.phase, 'Failed');
    assert.equal(pod.reason, undefined);
    const terminated = pod.containerStatuses?.[0]?.state?.terminated;
    assert.equal(terminated?.reason, 'OOMKilled');
    assert.equal(terminated?.exitCode, 137);
    assert.equal(kubelet?.runs[0].exitCode, 137);

    const log = store.logLines(NAMESPACE, 'oom', 'kaniko');
    assert.equal(log.at(-1), 'before');
    assert.ok(!log.includes('after'));
    assert.ok(store.logEnded(NAMESPACE, 'oom', 'kaniko'));

    assert.equal(store.nodeEvents.length, 1);
    const event = store.nodeEvents[0];
    assert.deepEqual([event.node, event.component, event.type, event.reason], ['local-node-1', 'kernel-monitor', 'Warning', 'OOMKilling']);
    // The request defaults to the 100Mi limit: a Burstable container gets 1000 - floor(1000 * 100Mi / 8Gi) = 988.
    assert.match(event.message, /^Memory cgroup out of memory: Killed process \d+ \(executor\) total-vm:\d+kB, anon-rss:102400kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:\d+kB oom_score_adj:988$/);
  });

  it('keeps a build within its memory limit', async () => {
    run('fits', 'FROM alpine:3.20\nRUN head -c 50M /dev/zero > /big\n', { requests: { memory: '128Mi' }, limits: { memory: '200Mi' } });
    const pod = await finished('fits');
    assert.equal(pod.phase, 'Succeeded');
    assert.equal(store.nodeEvents.length, 0);
  });

  it('OOM-kills below the base memory', async () => {
    run('tiny', 'FROM alpine:3.20\n', { requests: { memory: '16Mi' }, limits: { memory: '32Mi' } });
    const pod = await finished('tiny');
    assert.equal(pod.containerStatuses?.[0]?.state?.terminated?.reason, 'OOMKilled');
    assert.deepEqual(store.logLines(NAMESPACE, 'tiny', 'kaniko'), []);
    // A Burstable container requesting 16Mi of the node's 8Gi gets 1000 - floor(1000 * 16Mi / 8Gi) = 999.
    assert.match(store.nodeEvents[0]?.message ?? '', /oom_score_adj:999$/);
  });

  it('evicts a build past its ephemeral storage', async () => {
    run('evicted', 'FROM alpine:3.20\nRUN dd if=/dev/zero of=/data bs=1M count=20 && echo written\n', { limits: { 'ephemeral-storage': '10Mi' } });
    const pod = await finished('evicted');
    assert.equal(pod.phase, 'Failed');
    assert.equal(pod.reason, 'Evicted');
    assert.equal(pod.message, 'Pod ephemeral local storage usage exceeds the total limit of containers 10Mi. ');
    const terminated = pod.containerStatuses?.[0]?.state?.terminated;
    assert.equal(terminated?.exitCode, 137);
    assert.equal(terminated?.reason, 'Error');
    assert.ok(store.logEnded(NAMESPACE, 'evicted', 'kaniko'));

    const events = store.eventsFor(NAMESPACE, 'evicted').map((event) => [event.type, event.reason, event.message]);
    const evictedAt = events.findIndex(([, reason]) => reason === 'Evicted');
    assert.deepEqual(events[evictedAt], ['Warning', 'Evicted', 'Pod ephemeral local storage usage exceeds the total limit of containers 10Mi. ']);
    assert.deepEqual(events[evictedAt + 1], ['Normal', 'Killing', 'Stopping container kaniko']);
    assert.equal(store.nodeEvents.length, 0);
  });

  it('counts printed output toward ephemeral storage', async () => {
    run('noisy', 'FROM alpine:3.20\nRUN head -c 64K /dev/zero\n', { limits: { 'ephemeral-storage': '32Ki' } });
    const pod = await finished('noisy');
    assert.equal(pod.reason, 'Evicted');
    assert.equal(pod.message, 'Pod ephemeral local storage usage exceeds the total limit of containers 32Ki. ');
  });

  it('builds within its ephemeral storage', async () => {
    run('small', 'FROM alpine:3.20\nRUN dd if=/dev/zero of=/data bs=1M count=5\n', { limits: { 'ephemeral-storage': '10Mi' } });
    const pod = await finished('small');
    assert.equal(pod.phase, 'Succeeded');
  });

  it('scales activeDeadlineSeconds', async () => {
    const started = Date.now();
    run('deadline', 'FROM alpine:3.20\nRUN sleep 3600\n', {}, { deadlineScale: 0.01 }, { activeDeadlineSeconds: 60 });
    const pod = await finished('deadline');
    const elapsed = Date.now() - started;
    assert.equal(pod.reason, 'DeadlineExceeded');
    assert.ok(elapsed >= 550, `failed after ${elapsed} ms`);
    assert.ok(elapsed < 5000, `failed after ${elapsed} ms`);
  });

  it('scales sleep in RUN steps', async () => {
    const started = Date.now();
    run('sleepy', 'FROM alpine:3.20\nRUN sleep 10m\n', {}, { sleepScale: 0.001 });
    const pod = await finished('sleepy');
    const elapsed = Date.now() - started;
    assert.equal(pod.phase, 'Succeeded');
    assert.ok(elapsed >= 550, `finished after ${elapsed} ms`);
    assert.ok(elapsed < 5000, `finished after ${elapsed} ms`);
  });

  it('stops sleep infinity at the deadline', async () => {
    run('forever', 'FROM alpine:3.20\nRUN sleep infinity\n', {}, { deadlineScale: 0.01 }, { activeDeadlineSeconds: 30 });
    const pod = await finished('forever');
    assert.equal(pod.reason, 'DeadlineExceeded');
  });

  it('rejects a scale that is not positive', () => {
    for (const [name, value] of [['deadlineScale', 0], ['sleepScale', -1], ['deadlineScale', Number.NaN]] as const) {
      assert.throws(
        () => new Kubelet(store, { resolveBlobService: () => undefined, [name]: value }),
        new RegExp(`KubeletOptions\\.${name} must be a positive number such as 0\\.01, got ${String(value)}\\.`),
      );
    }
  });
});
