// The scheduler's filter step for the local cluster's single node: the TaintToleration filter,
// the NodeAffinity filter (nodeSelector) and the NodeResourcesFit filter (requests against what
// the node has left), in kube-scheduler's default order, with the messages it puts on
// PodScheduled=False.
import type { V1Container, V1Pod, V1Taint, V1Toleration } from '@kubernetes/client-node';
import { parseQuantity } from '../quantity';

/** Resource amounts in base units (cores, bytes, counts), keyed by resource name. */
export type ResourceAmounts = Record<string, number>;

export type ScheduleDecision = { fits: true } | { fits: false; message: string };

const NODE_COUNT = 1;

/**
 * Returns the resources a pod requests: the larger of the sum over its containers and the
 * largest init container, per resource. A container without a request uses its limit, as
 * the API server defaults requests to limits.
 */
export function podRequests(pod: V1Pod): ResourceAmounts {
  const total: ResourceAmounts = {};
  for (const container of pod.spec?.containers ?? []) {
    for (const [name, amount] of Object.entries(containerRequests(container))) {
      total[name] = (total[name] ?? 0) + amount;
    }
  }
  for (const container of pod.spec?.initContainers ?? []) {
    for (const [name, amount] of Object.entries(containerRequests(container))) {
      total[name] = Math.max(total[name] ?? 0, amount);
    }
  }
  return total;
}

function containerRequests(container: V1Container): ResourceAmounts {
  const amounts: ResourceAmounts = {};
  const sources = { ...(container.resources?.limits ?? {}), ...(container.resources?.requests ?? {}) };
  for (const [name, text] of Object.entries(sources)) {
    const value = parseQuantity(String(text));
    if (value !== undefined) amounts[name] = value;
  }
  return amounts;
}

/** Parses the node's allocatable resources; throws on an invalid quantity. */
export function parseAllocatable(allocatable: Record<string, string>): ResourceAmounts {
  const amounts: ResourceAmounts = {};
  for (const [name, text] of Object.entries(allocatable)) {
    const value = parseQuantity(text);
    if (value === undefined) throw new Error(`invalid allocatable quantity for ${name}: "${text}"`);
    amounts[name] = value;
  }
  return amounts;
}

/**
 * Decides whether the pod fits the node, given what the pods already bound to it request.
 * Resources that the node does not list (other than cpu and memory) are not checked for
 * standard names and are insufficient for extended resources such as `nvidia.com/gpu`.
 */
export function schedulePod(
  pod: V1Pod,
  node: { nodeLabels: Record<string, string>; nodeTaints: V1Taint[] },
  allocatable: ResourceAmounts,
  requestedByBoundPods: ResourceAmounts,
): ScheduleDecision {
  const { nodeLabels } = node;
  // The TaintToleration filter considers NoSchedule and NoExecute taints; PreferNoSchedule only
  // lowers a node's score (kubernetes pkg/scheduler/framework/plugins/tainttoleration). Recent
  // releases name no taint in the message; releases before about v1.30 printed `{key: value}`.
  const untolerated = node.nodeTaints.find((taint) =>
    (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute')
    && !(pod.spec?.tolerations ?? []).some((toleration) => toleratesTaint(toleration, taint)));
  if (untolerated) {
    return {
      fits: false,
      message: unschedulableMessage(
        ['1 node(s) had untolerated taint(s)'],
        '1 Preemption is not helpful for scheduling',
      ),
    };
  }

  const selector = pod.spec?.nodeSelector ?? {};
  const selectorMatches = Object.entries(selector).every(([key, value]) => nodeLabels[key] === value);
  if (!selectorMatches) {
    return {
      fits: false,
      message: unschedulableMessage(
        ["1 node(s) didn't match Pod's node affinity/selector"],
        '1 Preemption is not helpful for scheduling',
      ),
    };
  }

  const insufficient: string[] = [];
  for (const [name, amount] of Object.entries(podRequests(pod))) {
    if (amount <= 0) continue;
    const available = allocatable[name];
    if (available === undefined && isStandardResource(name) && name !== 'cpu' && name !== 'memory') continue;
    const used = requestedByBoundPods[name] ?? 0;
    if (available === undefined || used + amount > available) insufficient.push(`1 Insufficient ${name}`);
  }
  if (insufficient.length > 0) {
    return {
      fits: false,
      message: unschedulableMessage(insufficient.sort(), '1 No preemption victims found for incoming pod'),
    };
  }
  return { fits: true };
}

/** Returns whether the toleration matches the taint, as core/v1 Toleration.ToleratesTaint decides. */
function toleratesTaint(toleration: V1Toleration, taint: V1Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  if (toleration.operator === 'Exists') return true;
  return (toleration.operator ?? 'Equal') === 'Equal' && (toleration.value ?? '') === (taint.value ?? '');
}

function isStandardResource(name: string): boolean {
  return !name.includes('/') || name.startsWith('kubernetes.io/');
}

function unschedulableMessage(reasons: string[], preemption: string): string {
  return `0/${NODE_COUNT} nodes are available: ${reasons.join(', ')}. ` +
    `preemption: 0/${NODE_COUNT} nodes are available: ${preemption}.`;
}
