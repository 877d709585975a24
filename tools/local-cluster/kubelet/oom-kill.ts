// The kernel's report of an OOM kill inside a container's memory cgroup. node-problem-detector's
// kernel monitor (config/kernel-monitor.json) turns that kernel log line into an OOMKilling event
// about the node, and AKS enables node-problem-detector on its Linux nodes by default
// (https://learn.microsoft.com/azure/aks/node-problem-detector). The kubelet records no event for
// it: its own SystemOOM event is only for OOM kills outside any container
// (pkg/kubelet/oom/oom_watcher_linux.go).
import { createHash } from 'node:crypto';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { parseQuantity } from '../quantity';
import { qosClass } from './pod-status';

/** The component name that node-problem-detector's kernel monitor records events under. */
export const KERNEL_MONITOR = 'kernel-monitor';

/** oom_score_adj of Guaranteed and BestEffort containers (pkg/kubelet/qos/policy.go). */
const GUARANTEED_OOM_SCORE_ADJ = -997;
const BEST_EFFORT_OOM_SCORE_ADJ = 1000;
/** Address space that a Go program such as kaniko reserves beyond what it uses, in KiB (an estimate). */
const RESERVED_VIRTUAL_KIB = 1_310_720;

/**
 * Returns the kernel line for an OOM kill of the container's main process, in the format of
 * mm/oom_kill.c: `Memory cgroup out of memory: Killed process PID (NAME) total-vm:...`. The
 * process id and the memory figures are estimates derived from the pod and the limit.
 */
export function oomKillMessage(pod: V1Pod, container: V1Container, processName: string, limitBytes: number, nodeMemoryBytes: number): string {
  const pid = processId(pod, container.name);
  const anonRss = Math.ceil(limitBytes / 1024);
  const totalVm = anonRss + RESERVED_VIRTUAL_KIB;
  const pageTables = Math.ceil(totalVm / 512);
  const scoreAdj = oomScoreAdj(pod, container, nodeMemoryBytes);
  return `Memory cgroup out of memory: Killed process ${pid} (${processName}) total-vm:${totalVm}kB, anon-rss:${anonRss}kB, ` +
    `file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:${pageTables}kB oom_score_adj:${scoreAdj}`;
}

/** Returns the oom_score_adj that the kubelet gives the container, after GetContainerOOMScoreAdjust. */
export function oomScoreAdj(pod: V1Pod, container: V1Container, nodeMemoryBytes: number): number {
  const qos = qosClass(pod);
  if (qos === 'Guaranteed') return GUARANTEED_OOM_SCORE_ADJ;
  if (qos === 'BestEffort') return BEST_EFFORT_OOM_SCORE_ADJ;
  const request = parseQuantity(String(container.resources?.requests?.memory ?? container.resources?.limits?.memory ?? '0')) ?? 0;
  const adjust = 1000 - Math.floor((1000 * request) / nodeMemoryBytes);
  if (adjust < 1000 + GUARANTEED_OOM_SCORE_ADJ) return 1000 + GUARANTEED_OOM_SCORE_ADJ;
  return adjust === BEST_EFFORT_OOM_SCORE_ADJ ? adjust - 1 : adjust;
}

/** Returns a process id that stays the same for a pod and container, below the kernel's default pid_max of 4194304. */
function processId(pod: V1Pod, containerName: string): number {
  const digest = createHash('sha256').update(`${pod.metadata?.uid ?? ''}/${containerName}`).digest();
  return 1000 + (digest.readUInt32BE(0) % 4_000_000);
}
