import assert from 'node:assert/strict';
import type { V1Pod, V1PodStatus, V1ResourceRequirements } from '@kubernetes/client-node';
import { Kubelet, type KubeletOptions } from '../../../../tools/local-cluster/kubelet/index';
import { FakeClusterStore } from './helpers';

const NAMESPACE = 'pressure';
const MI = 1024 ** 2;
/** 10% of 1Gi as the kubelet computes it from float32(0.1). */
const TEN_PERCENT_OF_GI = 107_374_184;

/** Returns a kaniko pod that builds the Dockerfile from a Secret mounted at /workspace, without pushing. */
function buildPod(name: string, resources: V1ResourceRequirements): V1Pod {
  return {
    metadata: { namespace: NAMESPACE, name, uid: `uid-${name}` },
    spec: {
      restartPolicy: 'Never',
      containers: [{
        name: 'kaniko',
        image: 'ghcr.io/osscontainertools/kaniko:v1.28.3',
        args: ['--context=dir:///workspace', '--no-push', '--log-format=text'],
        volumeMounts: [{ name: 'context', mountPath: '/workspace', readOnly: true }],
        resources,
      }],
      volumes: [{ name: 'context', secret: { secretName: name } }],
    },
  };
}

/** Parses a BinarySI quantity as the eviction message prints it (`104856Ki`, `1500`). */
function bytesOf(text: string): number {
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(text);
  assert.ok(match, `not a BinarySI quantity: ${text}`);
  const powers: Record<string, number> = { '': 0, Ki: 1, Mi: 2, Gi: 3 };
  return Number(match[1]) * 1024 ** powers[match[2] ?? ''];
}

describe('kubelet node-pressure eviction', function () {
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

  function start(options: Partial<KubeletOptions>): Kubelet {
    kubelet = new Kubelet(store, { resolveBlobService: () => undefined, stepDelayMs: 1, retryDelayMs: 20, sleepScale: 0.01, ...options });
    return kubelet;
  }

  function run(name: string, dockerfile: string, resources: V1ResourceRequirements = {}): void {
    store.addSecret({ metadata: { namespace: NAMESPACE, name }, data: { Dockerfile: Buffer.from(dockerfile).toString('base64') } });
    kubelet?.podCreated(store.addPod(buildPod(name, resources)));
  }

  function status(name: string): V1PodStatus {
    return store.getPod(NAMESPACE, name)?.status ?? {};
  }

  async function finished(name: string): Promise<V1PodStatus> {
    await store.waitFor(`pod ${name} to finish`, () => ['Succeeded', 'Failed'].includes(status(name).phase ?? ''));
    return status(name);
  }

  it('has no node limit by default', async () => {
    start({});
    run('huge', 'FROM alpine:3.20\nRUN dd if=/dev/zero of=/data bs=1G count=500\n');
    const pod = await finished('huge');
    assert.equal(pod.phase, 'Succeeded');
    assert.equal(store.nodeEvents.length, 0);
  });

  it('evicts the pod above its request', async () => {
    start({ nodeFs: { capacity: '1Gi' } });
    run('idle', 'FROM alpine:3.20\nRUN dd if=/dev/zero of=/cache bs=1M count=100 && echo written && sleep 600\n');
    await store.waitFor('idle to write', () => store.logLines(NAMESPACE, 'idle', 'kaniko').includes('written'));
    // The writer uses more of the disk, but within its request, so the idle pod is the one evicted.
    run('writer', 'FROM alpine:3.20\nRUN dd if=/dev/zero of=/layer bs=1M count=850 && echo done\n', { requests: { 'ephemeral-storage': '900Mi' } });

    const idle = await finished('idle');
    assert.equal(idle.phase, 'Failed');
    assert.equal(idle.reason, 'Evicted');
    const match = /^The node was low on resource: ephemeral-storage\. Threshold quantity: (\d+), available: (\w+)\. Container kaniko was using (\w+), request is 0, has larger consumption of ephemeral-storage\. $/.exec(idle.message ?? '');
    assert.ok(match, idle.message);
    assert.equal(Number(match[1]), TEN_PERCENT_OF_GI);
    assert.ok(bytesOf(match[2]) < TEN_PERCENT_OF_GI, `available ${match[2]}`);
    assert.equal(bytesOf(match[2]) % 4096, 0);
    // The 100Mi file, the unpacked context and the log lines.
    assert.ok(bytesOf(match[3]) > 100 * MI, `usage ${match[3]}`);
    assert.ok(bytesOf(match[3]) < 101 * MI, `usage ${match[3]}`);

    const terminated = idle.containerStatuses?.[0]?.state?.terminated;
    assert.equal(terminated?.exitCode, 137);
    assert.equal(terminated?.reason, 'Error');
    const disruption = idle.conditions?.find((condition) => condition.type === 'DisruptionTarget');
    assert.deepEqual([disruption?.status, disruption?.reason, disruption?.message], ['True', 'TerminationByKubelet', idle.message]);

    const events = store.eventsFor(NAMESPACE, 'idle').map((event) => [event.type, event.reason, event.message]);
    const evictedAt = events.findIndex(([, reason]) => reason === 'Evicted');
    assert.deepEqual(events[evictedAt], ['Warning', 'Evicted', idle.message]);
    assert.deepEqual(events[evictedAt + 1], ['Normal', 'Killing', 'Stopping container kaniko']);
    const nodeEvents = store.nodeEvents.map((event) => [event.node, event.component, event.type, event.reason, event.message]);
    assert.deepEqual(nodeEvents, [['local-node-1', 'kubelet', 'Warning', 'EvictionThresholdMet', 'Attempting to reclaim ephemeral-storage']]);

    const writer = await finished('writer');
    assert.equal(writer.phase, 'Succeeded');
    assert.ok(store.logLines(NAMESPACE, 'writer', 'kaniko').includes('done'));
    assert.equal(store.eventsFor(NAMESPACE, 'writer').some((event) => event.reason === 'Evicted'), false);
  });

  it('evicts the writer that fills the disk', async () => {
    start({ nodeFs: { capacity: '2Gi', usedOutsidePods: '1Gi' }, evictionHard: { 'nodefs.available': '500Mi' } });
    run('filler', 'FROM alpine:3.20\nRUN dd if=/dev/zero of=/a bs=1M count=400 && echo first && dd if=/dev/zero of=/b bs=1M count=400 && echo second\n');
    const pod = await finished('filler');
    assert.equal(pod.reason, 'Evicted');
    assert.match(pod.message ?? '', /^The node was low on resource: ephemeral-storage\. Threshold quantity: 500Mi, available: \d+Ki\. Container kaniko was using \w+, request is 0, /);
    const log = store.logLines(NAMESPACE, 'filler', 'kaniko');
    assert.ok(log.includes('first'));
    assert.ok(!log.includes('second'));
  });

  it('derives allocatable ephemeral storage', async () => {
    start({ nodeFs: { capacity: '1Gi' } });
    run('greedy', 'FROM alpine:3.20\n', { requests: { 'ephemeral-storage': '1000Mi' } });
    await store.waitFor('greedy to be unschedulable', () => status('greedy').conditions?.some((condition) => condition.reason === 'Unschedulable') ?? false);
    const condition = status('greedy').conditions?.find((candidate) => candidate.type === 'PodScheduled');
    assert.match(condition?.message ?? '', /^0\/1 nodes are available: 1 Insufficient ephemeral-storage\./);
  });

  it('stops evicting at 0%', async () => {
    start({ nodeFs: { capacity: '1Gi' }, evictionHard: { 'nodefs.available': '0%' } });
    run('full', 'FROM alpine:3.20\nRUN dd if=/dev/zero of=/data bs=1M count=1000\n');
    const pod = await finished('full');
    assert.equal(pod.phase, 'Succeeded');
  });

  it('rejects invalid options at once', () => {
    assert.throws(() => start({ nodeFs: { capacity: '1Gi' }, evictionHard: { 'nodefs.available': '10 %' } }), /KubeletOptions.evictionHard\["nodefs.available"\] must be a percentage/);
  });
});
