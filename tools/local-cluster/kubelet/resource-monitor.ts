// The resource use of one pod's containers and the limits the node enforces on it. The kernel
// OOM-kills a container whose memory passes its limit. The kubelet's eviction manager evicts the
// pod when local ephemeral storage passes a limit, checking emptyDir size limits, then the pod's
// total, then each container (localStorageEviction in pkg/kubelet/eviction/eviction_manager.go,
// Kubernetes 1.34, with the messages of its helpers.go).
// NOTE: the real eviction manager checks every 10 seconds from stats that can be older, so a pod
// can pass a limit for a while or finish before it is evicted. Here the check runs on every write.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { addQuantities, compareQuantities, type ExactQuantity, formatQuantity, parseExactQuantity, quantityNumber } from '../quantity-value';
import type { EmptyDirVolumes } from './empty-dir';
import { type ContainerUsage, OutOfMemoryKill } from './resource-usage';

/**
 * Bytes that the container runtime adds to each log line in the CRI log format
 * (`TIME STREAM TAG TEXT`), an estimate: the RFC 3339 time has 30 characters with nanoseconds,
 * fewer when it ends in zeros.
 */
const CRI_LINE_OVERHEAD = 41;

/** The use of one container, with its memory limit enforced at once. */
class ContainerAccount implements ContainerUsage {
  writableLayerBytes = 0;
  logBytes = 0;
  memoryBytes = 0;

  constructor(private readonly memoryLimit: number | undefined, private readonly changed: () => void) {}

  addWritableLayerBytes(bytes: number): void {
    this.writableLayerBytes += bytes;
    this.changed();
  }

  addLogBytes(bytes: number): void {
    this.logBytes += bytes;
    this.changed();
  }

  addMemoryBytes(bytes: number): void {
    this.memoryBytes += bytes;
    if (this.memoryLimit !== undefined && this.memoryBytes > this.memoryLimit) throw new OutOfMemoryKill(this.memoryBytes, this.memoryLimit);
  }

  get storageBytes(): number {
    return this.writableLayerBytes + this.logBytes;
  }
}

export class PodResourceMonitor {
  private readonly accounts = new Map<string, ContainerAccount>();
  private evicted = false;

  /**
   * `evict` receives the eviction message once, when a storage limit is passed. `storageChanged`
   * runs after every change of the storage use, once the pod's own limits were checked.
   */
  constructor(
    private readonly pod: V1Pod,
    private readonly emptyDirs: EmptyDirVolumes,
    private readonly evict: (message: string) => void,
    private readonly storageChanged: () => void = () => undefined,
  ) {
    emptyDirs.onWrite = () => this.checkLocalStorage();
  }

  /** Returns the usage account of a container, which its program reports to. */
  usageOf(containerName: string): ContainerUsage {
    return this.account(containerName);
  }

  /** Counts a line that the kubelet wrote to a container's log. */
  recordLogLine(containerName: string, line: string): void {
    this.account(containerName).addLogBytes(Buffer.byteLength(line) + CRI_LINE_OVERHEAD);
  }

  /** Returns the bytes of a container's writable layer and log. */
  containerStorageBytes(containerName: string): number {
    return this.accounts.get(containerName)?.storageBytes ?? 0;
  }

  /** Returns the bytes in the pod's disk-backed emptyDir volumes. */
  localVolumeBytes(): number {
    let used = 0;
    for (const volume of this.pod.spec?.volumes ?? []) {
      if (volume.emptyDir && volume.emptyDir.medium !== 'Memory') used += this.emptyDirs.usedBytes(volume.name);
    }
    return used;
  }

  /** Returns the pod's whole ephemeral storage use: every container's writable layer and log, and the disk-backed emptyDirs. */
  storageBytes(): number {
    let used = this.localVolumeBytes();
    for (const account of this.accounts.values()) used += account.storageBytes;
    return used;
  }

  private account(containerName: string): ContainerAccount {
    let account = this.accounts.get(containerName);
    if (!account) {
      const limit = parseLimit(findContainer(this.pod, containerName), 'memory');
      account = new ContainerAccount(limit ? quantityNumber(limit) : undefined, () => this.checkLocalStorage());
      this.accounts.set(containerName, account);
    }
    return account;
  }

  private checkLocalStorage(): void {
    const message = this.evicted ? undefined : this.emptyDirProblem() ?? this.podProblem() ?? this.containerProblem();
    if (message !== undefined) {
      this.evicted = true;
      this.evict(message);
    }
    this.storageChanged();
  }

  private emptyDirProblem(): string | undefined {
    for (const volume of this.pod.spec?.volumes ?? []) {
      const sizeLimit = volume.emptyDir?.sizeLimit === undefined ? undefined : parseExactQuantity(String(volume.emptyDir.sizeLimit));
      if (!sizeLimit || quantityNumber(sizeLimit) <= 0) continue;
      if (this.emptyDirs.usedBytes(volume.name) > quantityNumber(sizeLimit)) {
        return `Usage of EmptyDir volume ${JSON.stringify(volume.name)} exceeds the limit ${JSON.stringify(formatQuantity(sizeLimit))}. `;
      }
    }
    return undefined;
  }

  /** Compares the pod's whole usage (containers and disk-backed emptyDirs) with the sum of its containers' limits. */
  private podProblem(): string | undefined {
    const limit = podStorageLimit(this.pod);
    if (!limit) return undefined;
    if (this.storageBytes() <= quantityNumber(limit)) return undefined;
    return `Pod ephemeral local storage usage exceeds the total limit of containers ${formatQuantity(limit)}. `;
  }

  private containerProblem(): string | undefined {
    for (const container of this.pod.spec?.containers ?? []) {
      const limit = parseLimit(container, 'ephemeral-storage');
      const used = this.accounts.get(container.name)?.storageBytes ?? 0;
      if (limit && quantityNumber(limit) > 0 && used > quantityNumber(limit)) {
        return `Container ${container.name} exceeded its local ephemeral storage limit ${JSON.stringify(formatQuantity(limit))}. `;
      }
    }
    return undefined;
  }
}

function findContainer(pod: V1Pod, name: string): V1Container | undefined {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((container) => container.name === name);
}

function parseLimit(container: V1Container | undefined, resource: string): ExactQuantity | undefined {
  const text = container?.resources?.limits?.[resource];
  return text === undefined ? undefined : parseExactQuantity(String(text));
}

/**
 * Returns the pod's ephemeral-storage limit as resourcehelper.PodLimits computes it: the sum over
 * its containers, or the largest init container's limit when that is larger. Undefined when no
 * container sets one.
 * NOTE: sidecar init containers (restartPolicy Always) count like the other init containers here,
 * where PodLimits adds them to the sum.
 */
function podStorageLimit(pod: V1Pod): ExactQuantity | undefined {
  let total: ExactQuantity | undefined;
  for (const container of pod.spec?.containers ?? []) {
    const limit = parseLimit(container, 'ephemeral-storage');
    if (limit) total = total ? addQuantities(total, limit) : limit;
  }
  for (const container of pod.spec?.initContainers ?? []) {
    const limit = parseLimit(container, 'ephemeral-storage');
    if (limit && (!total || compareQuantities(limit, total) > 0)) total = limit;
  }
  return total;
}
