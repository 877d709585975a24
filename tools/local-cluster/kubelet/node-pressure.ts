// Node-pressure eviction for the node's root filesystem, as the kubelet's eviction manager does it
// (synchronize in pkg/kubelet/eviction/eviction_manager.go, with rankDiskPressureFunc and
// evictionMessage in helpers.go, Kubernetes 1.34). When the space left on the filesystem falls
// below the nodefs.available threshold, the manager records EvictionThresholdMet on the node,
// ranks the active pods and evicts the first one that is not critical, one pod at a time.
// NOTE: the real manager runs every 10 seconds on stats that can be older, so a pod can write past
// the threshold for a while. Here it runs on every write. The local cluster serves no Node object,
// so it has no DiskPressure condition and no disk-pressure taint, and the scheduler keeps placing
// pods on the node, where a real one waits until 5 minutes (evictionPressureTransitionPeriod)
// after the pressure ended.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { parseExactQuantity, formatQuantity } from '../quantity-value';
import { parseQuantity } from '../quantity';
import { formatBytes, formatThreshold, type NodeFsSettings, thresholdBytes } from './eviction-threshold';

const RESOURCE = 'ephemeral-storage';
/** Pods at or above this priority are critical and never evicted (scheduling.SystemCriticalPriority). */
const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;
/** The annotation of mirror pods, which stand for static pods (kubelettypes.ConfigMirrorAnnotationKey). */
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
/** statfs reports free space in whole blocks, and 4 KiB is the default block size of ext4 and xfs. */
const BLOCK_BYTES = 4096;

/** The stats of one pod that the eviction manager reads from the kubelet's summary API. */
export interface PodDiskUsage {
  pod: V1Pod;
  /**
   * Bytes of the writable layer and log of each running container, by name. Ended containers have
   * no stats (removeTerminatedContainers in pkg/kubelet/stats/cri_stats_provider.go).
   */
  runningContainers: ReadonlyMap<string, number>;
  /** Bytes in the pod's disk-backed emptyDir volumes. */
  localVolumeBytes: number;
}

/** The operations that the eviction manager needs on a pod of the node. */
export interface EvictionCandidate {
  diskUsage(): PodDiskUsage;
  /** Bytes that the pod takes on the node's filesystem, ended containers included. */
  nodeFsBytes(): number;
  /** Whether an eviction of the pod is under way. */
  readonly evicting: boolean;
  /** Evicts the pod with the message. */
  evictForNodePressure(message: string): void;
}

/** The space on the node's filesystem, as the nodefs.available signal observes it. */
export interface NodeFsObservation {
  availableBytes: number;
  thresholdBytes: number;
}

export class NodePressureEviction {
  constructor(
    private readonly settings: NodeFsSettings,
    private readonly activePods: () => EvictionCandidate[],
    private readonly recordNodeEvent: (type: 'Warning', reason: string, message: string) => void,
  ) {}

  /**
   * Evicts one pod when the threshold is met. Does nothing while an eviction is under way, as the
   * eviction manager waits until the evicted pod is cleaned up.
   */
  synchronize(): void {
    const threshold = this.settings.threshold;
    if (!threshold) return;
    const pods = this.activePods();
    if (pods.some((pod) => pod.evicting)) return;
    const observation = this.observe(pods);
    if (observation.thresholdBytes <= observation.availableBytes) return;

    this.recordNodeEvent('Warning', 'EvictionThresholdMet', `Attempting to reclaim ${RESOURCE}`);
    const ranked = rankForDiskPressure(pods.map((candidate) => ({ candidate, usage: candidate.diskUsage() })), (entry) => entry.usage);
    const victim = ranked.find((entry) => !isCriticalPod(entry.usage.pod));
    if (!victim) return;
    const thresholdText = formatThreshold(threshold, this.settings.capacityBytes);
    victim.candidate.evictForNodePressure(nodePressureMessage(victim.usage, thresholdText, formatBytes(observation.availableBytes)));
  }

  /**
   * Returns the free space, in whole blocks, and the threshold in bytes.
   * NOTE: finished pods take no space here. A real node keeps their containers and logs until the
   * container garbage collection, which the eviction manager runs before it evicts a pod.
   */
  observe(pods: EvictionCandidate[]): NodeFsObservation {
    const { capacityBytes, usedOutsidePodsBytes, threshold } = this.settings;
    let used = usedOutsidePodsBytes;
    for (const pod of pods) used += pod.nodeFsBytes();
    const free = Math.max(0, capacityBytes - used);
    return {
      availableBytes: Math.floor(free / BLOCK_BYTES) * BLOCK_BYTES,
      thresholdBytes: threshold ? thresholdBytes(threshold, capacityBytes) : 0,
    };
  }
}

/**
 * Orders pods for eviction as rankDiskPressureFunc does: pods whose usage exceeds their
 * ephemeral-storage request first, then lower priority first, then larger usage above the
 * request first. Ties keep their order.
 */
export function rankForDiskPressure<T>(entries: T[], usageOf: (entry: T) => PodDiskUsage): T[] {
  const keyed = entries.map((entry) => {
    const usage = usageOf(entry);
    const aboveRequest = podUsageBytes(usage) - podRequestBytes(usage.pod);
    return { entry, exceeds: aboveRequest > 0, priority: usage.pod.spec?.priority ?? 0, aboveRequest };
  });
  keyed.sort((left, right) => {
    if (left.exceeds !== right.exceeds) return left.exceeds ? -1 : 1;
    if (left.priority !== right.priority) return left.priority - right.priority;
    return right.aboveRequest - left.aboveRequest;
  });
  return keyed.map((key) => key.entry);
}

/**
 * Returns the message of the Evicted event and the pod status, in the format of evictionMessage:
 * the starved resource, the threshold and the space left, then each running container whose usage
 * exceeds its request.
 */
export function nodePressureMessage(usage: PodDiskUsage, threshold: string, available: string): string {
  let message = `The node was low on resource: ${RESOURCE}. Threshold quantity: ${threshold}, available: ${available}. `;
  const spec = usage.pod.spec;
  for (const container of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    const used = usage.runningContainers.get(container.name);
    if (used === undefined) continue;
    const request = containerRequest(container);
    if (used > request.bytes) {
      message += `Container ${container.name} was using ${formatBytes(used)}, request is ${request.text}, has larger consumption of ${RESOURCE}. `;
    }
  }
  return message;
}

/** Returns what podDiskUsage measures on a node without a separate image filesystem: running containers and local volumes. */
function podUsageBytes(usage: PodDiskUsage): number {
  let total = usage.localVolumeBytes;
  for (const bytes of usage.runningContainers.values()) total += bytes;
  return total;
}

/**
 * Returns the pod's ephemeral-storage request as GetResourceRequestQuantity computes it: the sum
 * over its containers or the largest init container request, plus the pod overhead. Only
 * requests count, which the API server defaults from limits.
 */
function podRequestBytes(pod: V1Pod): number {
  let total = 0;
  for (const container of pod.spec?.containers ?? []) total += containerRequest(container).bytes;
  for (const container of pod.spec?.initContainers ?? []) total = Math.max(total, containerRequest(container).bytes);
  const overhead = pod.spec?.overhead?.[RESOURCE];
  if (overhead !== undefined && total > 0) total += parseQuantity(String(overhead)) ?? 0;
  return total;
}

/** Returns a container's request in bytes and as resource.Quantity prints it, `0` when it has none. */
function containerRequest(container: V1Container): { bytes: number; text: string } {
  const text = container.resources?.requests?.[RESOURCE];
  const quantity = text === undefined ? undefined : parseExactQuantity(String(text));
  if (!quantity) return { bytes: 0, text: '0' };
  return { bytes: parseQuantity(String(text)) ?? 0, text: formatQuantity(quantity) };
}

/** Returns whether the kubelet refuses to evict the pod (kubelettypes.IsCriticalPod): a mirror pod or a system-critical priority. */
function isCriticalPod(pod: V1Pod): boolean {
  if (pod.metadata?.annotations?.[MIRROR_ANNOTATION] !== undefined) return true;
  return (pod.spec?.priority ?? 0) >= SYSTEM_CRITICAL_PRIORITY;
}
