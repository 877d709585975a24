import assert from 'node:assert/strict';
import type { V1Container, V1Pod, V1Volume } from '@kubernetes/client-node';
import { EmptyDirVolumes } from '../../../../tools/local-cluster/kubelet/empty-dir';
import { oomKillMessage, oomScoreAdj } from '../../../../tools/local-cluster/kubelet/oom-kill';
import { PodResourceMonitor } from '../../../../tools/local-cluster/kubelet/resource-monitor';
import { OutOfMemoryKill } from '../../../../tools/local-cluster/kubelet/resource-usage';

const MIB = 1024 * 1024;

function container(name: string, limits: Record<string, string> = {}): V1Container {
  return { name, image: 'ghcr.io/osscontainertools/kaniko:v1.28.3', resources: { limits } };
}

function pod(containers: V1Container[], options: { initContainers?: V1Container[]; volumes?: V1Volume[] } = {}): V1Pod {
  return { metadata: { name: 'build', namespace: 'builds' }, spec: { containers, initContainers: options.initContainers, volumes: options.volumes } };
}

/** Creates a monitor that records the evictions it requests. */
function monitorOf(spec: V1Pod): { monitor: PodResourceMonitor; emptyDirs: EmptyDirVolumes; evictions: string[] } {
  const emptyDirs = new EmptyDirVolumes(spec);
  const evictions: string[] = [];
  const monitor = new PodResourceMonitor(spec, emptyDirs, (message) => evictions.push(message));
  return { monitor, emptyDirs, evictions };
}

describe('pod resource monitor', () => {
  it('evicts past the pod limit', () => {
    const { monitor, evictions } = monitorOf(pod([container('kaniko', { 'ephemeral-storage': '1024Mi' })]));
    monitor.usageOf('kaniko').addWritableLayerBytes(1024 * MIB);
    assert.deepEqual(evictions, []);
    monitor.usageOf('kaniko').addWritableLayerBytes(1);
    assert.deepEqual(evictions, ['Pod ephemeral local storage usage exceeds the total limit of containers 1Gi. ']);
  });

  it('sums the limits of containers', () => {
    const { monitor, evictions } = monitorOf(pod([
      container('kaniko', { 'ephemeral-storage': '512Mi' }),
      container('sidecar', { 'ephemeral-storage': '512Mi' }),
    ]));
    monitor.usageOf('kaniko').addWritableLayerBytes(500 * MIB);
    monitor.usageOf('sidecar').addWritableLayerBytes(500 * MIB);
    assert.deepEqual(evictions, []);
    // The pod's total is checked before each container's limit, and 512Mi + 512Mi prints as 1Gi.
    monitor.usageOf('sidecar').addWritableLayerBytes(30 * MIB);
    assert.deepEqual(evictions, ['Pod ephemeral local storage usage exceeds the total limit of containers 1Gi. ']);
  });

  it('names the container within the pod total', () => {
    const { monitor, evictions } = monitorOf(pod([
      container('kaniko', { 'ephemeral-storage': '10Mi' }),
      container('helper', { 'ephemeral-storage': '1Gi' }),
    ]));
    monitor.usageOf('kaniko').addWritableLayerBytes(11 * MIB);
    assert.deepEqual(evictions, ['Container kaniko exceeded its local ephemeral storage limit "10Mi". ']);
  });

  it('takes a larger init container limit', () => {
    const spec = pod([container('kaniko', { 'ephemeral-storage': '1Gi' })], { initContainers: [container('fetch', { 'ephemeral-storage': '2Gi' })] });
    const { monitor, evictions } = monitorOf(spec);
    monitor.usageOf('fetch').addWritableLayerBytes(2048 * MIB);
    assert.deepEqual(evictions, []);
    monitor.usageOf('fetch').addLogBytes(1);
    assert.deepEqual(evictions, ['Pod ephemeral local storage usage exceeds the total limit of containers 2Gi. ']);
  });

  it('ignores pods without storage limits', () => {
    const { monitor, evictions } = monitorOf(pod([container('kaniko', { memory: '1Gi' })]));
    monitor.usageOf('kaniko').addWritableLayerBytes(100 * 1024 * MIB);
    assert.deepEqual(evictions, []);
  });

  it('counts log lines with the CRI prefix', () => {
    const { monitor, evictions } = monitorOf(pod([container('kaniko', { 'ephemeral-storage': '1Ki' })]));
    for (let index = 0; index < 10; index += 1) monitor.recordLogLine('kaniko', 'x'.repeat(59));
    assert.deepEqual(evictions, []);
    monitor.recordLogLine('kaniko', 'x'.repeat(59));
    assert.equal(evictions.length, 1);
  });

  it('evicts past an emptyDir size limit', () => {
    const volumes: V1Volume[] = [{ name: 'context', emptyDir: { sizeLimit: '1Mi' } }];
    const { emptyDirs, evictions } = monitorOf(pod([container('kaniko', { 'ephemeral-storage': '1Gi' })], { volumes }));
    emptyDirs.writeFile('context', 'context.tar.gz', Buffer.alloc(MIB));
    assert.deepEqual(evictions, []);
    emptyDirs.writeFile('context', 'extra', Buffer.alloc(1));
    assert.deepEqual(evictions, ['Usage of EmptyDir volume "context" exceeds the limit "1Mi". ']);
  });

  it('counts disk emptyDirs toward the pod', () => {
    const volumes: V1Volume[] = [{ name: 'disk', emptyDir: {} }, { name: 'memory', emptyDir: { medium: 'Memory' } }];
    const { emptyDirs, evictions } = monitorOf(pod([container('kaniko', { 'ephemeral-storage': '1Mi' })], { volumes }));
    emptyDirs.writeFile('memory', 'big', Buffer.alloc(2 * MIB));
    assert.deepEqual(evictions, []);
    emptyDirs.writeFile('disk', 'big', Buffer.alloc(MIB + 1));
    assert.deepEqual(evictions, ['Pod ephemeral local storage usage exceeds the total limit of containers 1Mi. ']);
  });

  it('evicts only once', () => {
    const { monitor, evictions } = monitorOf(pod([container('kaniko', { 'ephemeral-storage': '1Mi' })]));
    monitor.usageOf('kaniko').addWritableLayerBytes(2 * MIB);
    monitor.usageOf('kaniko').addWritableLayerBytes(2 * MIB);
    assert.equal(evictions.length, 1);
  });

  it('kills past the memory limit', () => {
    const { monitor } = monitorOf(pod([container('kaniko', { memory: '100Mi' })]));
    const usage = monitor.usageOf('kaniko');
    usage.addMemoryBytes(100 * MIB);
    assert.throws(() => usage.addMemoryBytes(1), (error: unknown) => {
      assert.ok(error instanceof OutOfMemoryKill);
      assert.equal(error.limitBytes, 100 * MIB);
      assert.equal(error.usedBytes, 100 * MIB + 1);
      return true;
    });
  });

  it('never kills without a memory limit', () => {
    const { monitor } = monitorOf(pod([container('kaniko')]));
    assert.doesNotThrow(() => monitor.usageOf('kaniko').addMemoryBytes(64 * 1024 * MIB));
  });
});

describe('OOM kill report', () => {
  const NODE_MEMORY = 8 * 1024 * MIB;

  it('gives oom_score_adj by QoS class', () => {
    const cases: Array<[string, V1Container['resources'], number]> = [
      ['Guaranteed', { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }, -997],
      ['BestEffort', {}, 1000],
      ['Burstable with a small request', { requests: { memory: '1Mi' } }, 999],
      ['Burstable with a 1Gi request', { requests: { memory: '1Gi' }, limits: { memory: '2Gi' } }, 875],
      ['Burstable with the whole node', { requests: { memory: '8Gi' } }, 3],
    ];
    for (const [title, resources, expected] of cases) {
      const spec: V1Pod = { metadata: { uid: 'u' }, spec: { containers: [{ name: 'kaniko', resources }] } };
      assert.equal(oomScoreAdj(spec, spec.spec!.containers[0], NODE_MEMORY), expected, title);
    }
  });

  it('writes the kernel line with a stable process id', () => {
    const spec: V1Pod = { metadata: { uid: 'pod-1' }, spec: { containers: [container('kaniko', { memory: '512Mi' })] } };
    const message = oomKillMessage(spec, spec.spec!.containers[0], 'executor', 512 * MIB, NODE_MEMORY);
    assert.match(message, /^Memory cgroup out of memory: Killed process (\d+) \(executor\) total-vm:1835008kB, anon-rss:524288kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:3584kB oom_score_adj:938$/);
    assert.equal(oomKillMessage(spec, spec.spec!.containers[0], 'executor', 512 * MIB, NODE_MEMORY), message);
  });
});
