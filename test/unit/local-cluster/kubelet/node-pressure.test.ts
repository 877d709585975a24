import assert from 'node:assert/strict';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import {
  formatBytes, formatThreshold, parseNodeFsSettings, thresholdBytes,
} from '../../../../tools/local-cluster/kubelet/eviction-threshold';
import {
  type EvictionCandidate, NodePressureEviction, nodePressureMessage, type PodDiskUsage, rankForDiskPressure,
} from '../../../../tools/local-cluster/kubelet/node-pressure';

const GI = 1024 ** 3;
const MI = 1024 ** 2;
/** 10% of 1Gi as the kubelet computes it: float32(0.1) is 13421773 × 2^-27, so 1Gi × that is 107374184. */
const TEN_PERCENT_OF_GI = 107_374_184;

function container(name: string, request?: string): V1Container {
  return { name, image: 'ghcr.io/osscontainertools/kaniko:v1.28.3', resources: request ? { requests: { 'ephemeral-storage': request } } : {} };
}

function pod(name: string, containers: V1Container[], extra: { priority?: number; initContainers?: V1Container[]; annotations?: Record<string, string> } = {}): V1Pod {
  return {
    metadata: { name, namespace: 'builds', annotations: extra.annotations },
    spec: { containers, initContainers: extra.initContainers, priority: extra.priority },
  };
}

function usage(spec: V1Pod, running: Record<string, number>, localVolumeBytes = 0): PodDiskUsage {
  return { pod: spec, runningContainers: new Map(Object.entries(running)), localVolumeBytes };
}

describe('node filesystem options', () => {
  it('defaults to no node limit', () => {
    assert.equal(parseNodeFsSettings(undefined, undefined), undefined);
  });

  it('defaults the threshold to 10%', () => {
    const settings = parseNodeFsSettings({ capacity: '1Gi' }, undefined);
    assert.equal(settings?.capacityBytes, GI);
    assert.equal(settings?.usedOutsidePodsBytes, 0);
    assert.deepEqual(settings?.threshold, { percentage: Math.fround(0.1) });
    assert.equal(thresholdBytes(settings.threshold, GI), TEN_PERCENT_OF_GI);
  });

  it('prints thresholds as the kubelet does', () => {
    const percent = parseNodeFsSettings({ capacity: '100Gi' }, { 'nodefs.available': '10%' });
    assert.equal(formatThreshold(percent!.threshold!, percent!.capacityBytes), '10737418400');
    const fraction = parseNodeFsSettings({ capacity: '100Gi' }, { 'nodefs.available': '12.5%' });
    assert.equal(formatThreshold(fraction!.threshold!, fraction!.capacityBytes), '12800Mi');
    const quantity = parseNodeFsSettings({ capacity: '100Gi' }, { 'nodefs.available': '2048Mi' });
    assert.equal(formatThreshold(quantity!.threshold!, quantity!.capacityBytes), '2Gi');
    assert.equal(thresholdBytes(quantity!.threshold!, quantity!.capacityBytes), 2 * GI);
  });

  it('turns eviction off at 0% and 100%', () => {
    assert.equal(parseNodeFsSettings({ capacity: '1Gi' }, { 'nodefs.available': '0%' })?.threshold, undefined);
    assert.equal(parseNodeFsSettings({ capacity: '1Gi' }, { 'nodefs.available': '100%' })?.threshold, undefined);
    assert.equal(parseNodeFsSettings({ capacity: '1Gi' }, {})?.threshold, undefined);
  });

  it('rejects invalid options', () => {
    const cases: [Parameters<typeof parseNodeFsSettings>, RegExp][] = [
      [[undefined, { 'nodefs.available': '10%' }], /evictionHard needs KubeletOptions.nodeFs/],
      [[{ capacity: 'lots' }, undefined], /nodeFs.capacity must be a quantity such as "30Gi", got "lots"/],
      [[{ capacity: '0' }, undefined], /nodeFs.capacity must be positive/],
      [[{ capacity: '1Gi', usedOutsidePods: '2Gi' }, undefined], /usedOutsidePods must be between 0 and the capacity 1Gi, got "2Gi"/],
      [[{ capacity: '1Gi', usedOutsidePods: '-1' }, undefined], /usedOutsidePods must be between 0/],
      [[{ capacity: '1Gi' }, { 'nodefs.available': '150%' }], /must be <= 100%, got "150%"/],
      [[{ capacity: '1Gi' }, { 'nodefs.available': '-5%' }], /must be >= 0%, got "-5%"/],
      [[{ capacity: '1Gi' }, { 'nodefs.available': 'ten%' }], /must be a percentage such as "10%" or a quantity such as "2Gi", got "ten%"/],
      [[{ capacity: '1Gi' }, { 'nodefs.available': '0' }], /must be positive, got "0"/],
      [[{ capacity: '1Gi' }, { 'nodefs.available': '1 Gi' }], /got "1 Gi"/],
      [[{ capacity: '1Gi' }, { 'memory.available': '100Mi' }], /"memory.available"\] is not emulated/],
      [[{ capacity: '1Gi' }, { 'disk.free': '1Gi' }], /unsupported eviction signal "disk.free"/],
    ];
    for (const [args, message] of cases) assert.throws(() => parseNodeFsSettings(...args), message, JSON.stringify(args));
  });

  it('formats bytes as BinarySI quantities', () => {
    assert.equal(formatBytes(0), '0');
    // Below 1024 Go falls back to DecimalSI, so 1000 bytes print as 1k.
    assert.equal(formatBytes(999), '999');
    assert.equal(formatBytes(1000), '1k');
    assert.equal(formatBytes(1500), '1500');
    assert.equal(formatBytes(5_879_788 * 1024), '5879788Ki');
    assert.equal(formatBytes(3 * GI), '3Gi');
  });
});

describe('disk pressure ranking', () => {
  it('ranks usage above the request first', () => {
    const withinRequest = usage(pod('within', [container('kaniko', '10Gi')]), { kaniko: 5 * GI });
    const aboveRequest = usage(pod('above', [container('kaniko')]), { kaniko: MI });
    const ranked = rankForDiskPressure([withinRequest, aboveRequest], (entry) => entry);
    assert.deepEqual(ranked.map((entry) => entry.pod.metadata?.name), ['above', 'within']);
  });

  it('ranks usage above the request before priority', () => {
    const importantAbove = usage(pod('important', [container('kaniko')], { priority: 1000 }), { kaniko: MI });
    const ordinaryWithin = usage(pod('ordinary', [container('kaniko', '10Gi')]), { kaniko: 5 * GI });
    const ranked = rankForDiskPressure([ordinaryWithin, importantAbove], (entry) => entry);
    assert.deepEqual(ranked.map((entry) => entry.pod.metadata?.name), ['important', 'ordinary']);
  });

  it('ranks lower priority next', () => {
    const important = usage(pod('important', [container('kaniko')], { priority: 1000 }), { kaniko: 5 * GI });
    const ordinary = usage(pod('ordinary', [container('kaniko')]), { kaniko: MI });
    const ranked = rankForDiskPressure([important, ordinary], (entry) => entry);
    assert.deepEqual(ranked.map((entry) => entry.pod.metadata?.name), ['ordinary', 'important']);
  });

  it('ranks larger usage above the request last', () => {
    const small = usage(pod('small', [container('kaniko')]), { kaniko: 2 * GI });
    const requested = usage(pod('requested', [container('kaniko', '2Gi')]), { kaniko: 3 * GI });
    const volumes = usage(pod('volumes', [container('kaniko')]), { kaniko: MI }, 3 * GI);
    const ranked = rankForDiskPressure([requested, small, volumes], (entry) => entry);
    // Above the request: volumes 3Gi + 1Mi, small 2Gi, requested 1Gi.
    assert.deepEqual(ranked.map((entry) => entry.pod.metadata?.name), ['volumes', 'small', 'requested']);
  });

  it('sums requests as the kubelet does', () => {
    // Containers 1Gi + 1Gi, but the init container's 3Gi is larger, so the pod requests 3Gi and 2.5Gi stays within it.
    const initLarger = pod('init', [container('a', '1Gi'), container('b', '1Gi')], { initContainers: [container('fetch', '3Gi')] });
    const summed = pod('summed', [container('a', '1Gi'), container('b', '1Gi')]);
    const ranked = rankForDiskPressure([usage(initLarger, { a: 2.5 * GI }), usage(summed, { a: 2.5 * GI })], (entry) => entry);
    assert.deepEqual(ranked.map((entry) => entry.pod.metadata?.name), ['summed', 'init']);
  });

  it('keeps the order of ties', () => {
    const first = usage(pod('first', [container('kaniko')]), { kaniko: GI });
    const second = usage(pod('second', [container('kaniko')]), { kaniko: GI });
    assert.deepEqual(rankForDiskPressure([first, second], (entry) => entry).map((entry) => entry.pod.metadata?.name), ['first', 'second']);
  });
});

describe('node pressure message', () => {
  it('names the container above its request', () => {
    const message = nodePressureMessage(usage(pod('build', [container('kaniko')]), { kaniko: 25_484 * 1024 }), '10737418400', '9795424Ki');
    assert.equal(message, 'The node was low on resource: ephemeral-storage. Threshold quantity: 10737418400, available: 9795424Ki. ' +
      'Container kaniko was using 25484Ki, request is 0, has larger consumption of ephemeral-storage. ');
  });

  it('prints the request and skips containers within it', () => {
    const spec = pod('build', [container('kaniko', '1024Mi'), container('sidecar', '1Gi')], { initContainers: [container('fetch', '500Mi')] });
    const message = nodePressureMessage(usage(spec, { kaniko: 2 * GI, sidecar: MI, fetch: 600 * MI }), '1Gi', '512Mi');
    assert.equal(message, 'The node was low on resource: ephemeral-storage. Threshold quantity: 1Gi, available: 512Mi. ' +
      'Container kaniko was using 2Gi, request is 1Gi, has larger consumption of ephemeral-storage. ' +
      'Container fetch was using 600Mi, request is 500Mi, has larger consumption of ephemeral-storage. ');
  });

  it('leaves out containers without stats', () => {
    const message = nodePressureMessage(usage(pod('build', [container('kaniko')]), {}, GI), '1Gi', '0');
    assert.equal(message, 'The node was low on resource: ephemeral-storage. Threshold quantity: 1Gi, available: 0. ');
  });
});

/** A pod with fixed usage that records its evictions. */
class FakeCandidate implements EvictionCandidate {
  evicting = false;
  readonly evictions: string[] = [];

  constructor(readonly usage: PodDiskUsage, private readonly totalBytes: number) {}

  diskUsage(): PodDiskUsage {
    return this.usage;
  }

  nodeFsBytes(): number {
    return this.totalBytes;
  }

  evictForNodePressure(message: string): void {
    this.evicting = true;
    this.evictions.push(message);
  }
}

describe('node pressure eviction', () => {
  function manager(pods: FakeCandidate[], usedOutsidePods = '0'): { eviction: NodePressureEviction; events: string[] } {
    const settings = parseNodeFsSettings({ capacity: '1Gi', usedOutsidePods }, undefined)!;
    const events: string[] = [];
    const eviction = new NodePressureEviction(settings, () => pods, (type, reason, message) => events.push(`${type} ${reason} ${message}`));
    return { eviction, events };
  }

  it('leaves the node alone above the threshold', () => {
    // 124Mi stay free, above the 107374184 bytes of the threshold.
    const build = new FakeCandidate(usage(pod('build', [container('kaniko')]), { kaniko: 900 * MI }), 900 * MI);
    const { eviction, events } = manager([build]);
    eviction.synchronize();
    assert.deepEqual(build.evictions, []);
    assert.deepEqual(events, []);
  });

  it('evicts below the threshold', () => {
    const build = new FakeCandidate(usage(pod('build', [container('kaniko')]), { kaniko: 900 * MI }), GI - TEN_PERCENT_OF_GI + 1);
    const { eviction, events } = manager([build]);
    eviction.synchronize();
    // 107374183 bytes are free, 26214 whole blocks of 4Ki.
    assert.deepEqual(build.evictions, ['The node was low on resource: ephemeral-storage. Threshold quantity: 107374184, available: 104856Ki. ' +
      'Container kaniko was using 900Mi, request is 0, has larger consumption of ephemeral-storage. ']);
    assert.deepEqual(events, ['Warning EvictionThresholdMet Attempting to reclaim ephemeral-storage']);
  });

  it('counts space used outside pods', () => {
    const build = new FakeCandidate(usage(pod('build', [container('kaniko')]), { kaniko: 100 * MI }), 100 * MI);
    const { eviction } = manager([build], '900Mi');
    eviction.synchronize();
    assert.match(build.evictions[0] ?? '', /available: 24Mi\. Container kaniko was using 100Mi,/);
  });

  it('evicts one pod at a time', () => {
    const first = new FakeCandidate(usage(pod('first', [container('kaniko')]), { kaniko: 600 * MI }), 600 * MI);
    const second = new FakeCandidate(usage(pod('second', [container('kaniko')]), { kaniko: 400 * MI }), 400 * MI);
    const { eviction } = manager([second, first]);
    eviction.synchronize();
    eviction.synchronize();
    assert.equal(first.evictions.length, 1);
    assert.equal(second.evictions.length, 0);
  });

  it('never evicts critical pods', () => {
    const critical = new FakeCandidate(usage(pod('critical', [container('agent')], { priority: 2_000_001_000 }), { agent: GI }), GI);
    const mirror = new FakeCandidate(usage(pod('mirror', [container('agent')], { annotations: { 'kubernetes.io/config.mirror': 'abc' } }), { agent: GI }), 0);
    const build = new FakeCandidate(usage(pod('build', [container('kaniko', '1Gi')]), { kaniko: MI }), MI);
    const { eviction, events } = manager([critical, mirror, build]);
    eviction.synchronize();
    assert.equal(critical.evictions.length, 0);
    assert.equal(mirror.evictions.length, 0);
    assert.equal(build.evictions.length, 1);
    assert.equal(events.length, 1);
  });

  it('reports the threshold without a victim', () => {
    const critical = new FakeCandidate(usage(pod('critical', [container('agent')], { priority: 2_000_000_000 }), { agent: GI }), GI);
    const { eviction, events } = manager([critical]);
    eviction.synchronize();
    assert.equal(critical.evictions.length, 0);
    assert.deepEqual(events, ['Warning EvictionThresholdMet Attempting to reclaim ephemeral-storage']);
  });
});
