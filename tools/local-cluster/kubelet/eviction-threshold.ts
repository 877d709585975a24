// The node's root filesystem (nodefs) and the kubelet's hard eviction threshold for it. The
// threshold is parsed as parseThresholdStatement in pkg/kubelet/eviction/helpers.go does, and its
// quantity is derived from the capacity as GetThresholdQuantity in
// pkg/kubelet/eviction/api/types.go does (Kubernetes 1.34).
import { type ExactQuantity, formatQuantity, parseExactQuantity, quantityNumber } from '../quantity-value';

/** The eviction signal for the space left on the node's root filesystem. */
export const NODEFS_AVAILABLE = 'nodefs.available';

/**
 * The default of `nodefs.available` in the kubelet configuration's evictionHard, which AKS keeps:
 * the AKS API's KubeletHardEvictionThreshold.nodeFsAvailable "must be greater than or equal to the
 * system default of 10%" (Azure.ResourceManager.ContainerService reference).
 */
const DEFAULT_NODEFS_AVAILABLE = '10%';

/** The signals that the kubelet accepts in evictionHard besides nodefs.available, none of which the emulation observes. */
const OTHER_SIGNALS = [
  'memory.available', 'allocatableMemory.available', 'nodefs.inodesFree', 'imagefs.available', 'imagefs.inodesFree',
  'containerfs.available', 'containerfs.inodesFree', 'pid.available',
];

/** The size of the node's root filesystem, as KubeletOptions.nodeFs sets it. */
export interface NodeFsOptions {
  /** Size of the filesystem, a quantity such as `128Gi`. */
  capacity: string;
  /** Bytes in use before any pod writes (the operating system, images, system logs), a quantity; default `0`. */
  usedOutsidePods?: string;
}

/** A hard threshold: a fraction of the capacity, or an amount of bytes. */
export type ThresholdValue = { percentage: number } | { quantity: ExactQuantity };

/** The node's root filesystem and its eviction threshold, parsed and validated. */
export interface NodeFsSettings {
  capacityBytes: number;
  usedOutsidePodsBytes: number;
  /** Undefined when the threshold is `0%` or `100%`, which the kubelet ignores, so no pod is ever evicted. */
  threshold?: ThresholdValue;
}

/**
 * Parses the nodeFs and evictionHard options. Returns undefined when neither is set, which means
 * the node has unlimited space. Throws an error that names the option and the bad value.
 */
export function parseNodeFsSettings(nodeFs: NodeFsOptions | undefined, evictionHard: Record<string, string> | undefined): NodeFsSettings | undefined {
  if (nodeFs === undefined) {
    if (evictionHard !== undefined) {
      throw new Error('KubeletOptions.evictionHard needs KubeletOptions.nodeFs. Set nodeFs.capacity, such as "30Gi", to the size of the node\'s filesystem.');
    }
    return undefined;
  }
  const capacityBytes = parseBytes('nodeFs.capacity', nodeFs.capacity);
  if (capacityBytes <= 0) throw new Error(`KubeletOptions.nodeFs.capacity must be positive, such as "30Gi", got "${nodeFs.capacity}".`);
  const usedOutsidePodsBytes = nodeFs.usedOutsidePods === undefined ? 0 : parseBytes('nodeFs.usedOutsidePods', nodeFs.usedOutsidePods);
  if (usedOutsidePodsBytes < 0 || usedOutsidePodsBytes > capacityBytes) {
    throw new Error(`KubeletOptions.nodeFs.usedOutsidePods must be between 0 and the capacity ${nodeFs.capacity}, got "${nodeFs.usedOutsidePods}".`);
  }
  return { capacityBytes, usedOutsidePodsBytes, threshold: parseEvictionHard(evictionHard ?? { [NODEFS_AVAILABLE]: DEFAULT_NODEFS_AVAILABLE }) };
}

/** Returns the threshold in bytes, truncated as the kubelet's int64 conversion does. */
export function thresholdBytes(threshold: ThresholdValue, capacityBytes: number): number {
  if ('quantity' in threshold) return quantityNumber(threshold.quantity);
  return Math.trunc(capacityBytes * threshold.percentage);
}

/** Returns the threshold as resource.Quantity.String() prints it in the eviction message. */
export function formatThreshold(threshold: ThresholdValue, capacityBytes: number): string {
  if ('quantity' in threshold) return formatQuantity(threshold.quantity);
  return formatBytes(thresholdBytes(threshold, capacityBytes));
}

/** Returns a byte count as resource.NewQuantity(bytes, resource.BinarySI).String() prints it: `10Gi`, `9795424Ki`, `1500`. */
export function formatBytes(bytes: number): string {
  return formatQuantity({ mantissa: BigInt(Math.trunc(bytes)), exponent: 0, format: 'BinarySI' });
}

function parseEvictionHard(evictionHard: Record<string, string>): ThresholdValue | undefined {
  for (const signal of Object.keys(evictionHard)) {
    if (signal === NODEFS_AVAILABLE) continue;
    if (OTHER_SIGNALS.includes(signal)) {
      throw new Error(`KubeletOptions.evictionHard["${signal}"] is not emulated because the local cluster observes only ${NODEFS_AVAILABLE}. Remove "${signal}".`);
    }
    throw new Error(`KubeletOptions.evictionHard has the unsupported eviction signal "${signal}". Use ${NODEFS_AVAILABLE}.`);
  }
  const text = evictionHard[NODEFS_AVAILABLE];
  return text === undefined ? undefined : parseThresholdValue(text);
}

/** Parses `10%` or `2Gi` as the kubelet does: 0% and 100% turn the threshold off, and a quantity must be positive. */
function parseThresholdValue(text: string): ThresholdValue | undefined {
  const option = `KubeletOptions.evictionHard["${NODEFS_AVAILABLE}"]`;
  if (text.endsWith('%')) {
    if (text === '0%' || text === '100%') return undefined;
    const number = Number(text.replace(/%+$/, ''));
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?%+$/.test(text) || !Number.isFinite(number)) {
      throw new Error(`${option} must be a percentage such as "10%" or a quantity such as "2Gi", got "${text}".`);
    }
    // The kubelet parses the number as a float32 and divides it by 100 in float32 arithmetic.
    const percentage = Math.fround(Math.fround(number) / 100);
    if (percentage < 0) throw new Error(`${option} must be >= 0%, got "${text}".`);
    if (percentage > 1) throw new Error(`${option} must be <= 100%, got "${text}".`);
    return { percentage };
  }
  const quantity = parseExactQuantity(text);
  if (!quantity) throw new Error(`${option} must be a percentage such as "10%" or a quantity such as "2Gi", got "${text}".`);
  if (quantityNumber(quantity) <= 0) throw new Error(`${option} must be positive, got "${text}".`);
  return { quantity };
}

function parseBytes(option: string, text: string): number {
  const quantity = typeof text === 'string' ? parseExactQuantity(text) : undefined;
  if (!quantity) throw new Error(`KubeletOptions.${option} must be a quantity such as "30Gi", got "${String(text)}".`);
  return Math.trunc(quantityNumber(quantity));
}
