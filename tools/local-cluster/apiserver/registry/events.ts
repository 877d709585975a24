// Events about pods, shaped like the ones the kubelet and the scheduler record through
// client-go's event recorder: named `<pod>.<hex nanoseconds>`, and a repeat of the same
// reason and message bumps `count` and `lastTimestamp` instead of adding an event. Events
// about the node go to the default namespace, as recorders put events of cluster-scoped objects.
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import type { JsonObject } from '../decode/decode';
import type { ClusterState } from '../store/cluster-state';
import { formatTime, metadataOf } from '../store/object-store';

/** The namespace of events about the node, a cluster-scoped object. */
const NODE_EVENT_NAMESPACE = 'default';

/** Reasons that the scheduler, not the kubelet, reports. */
const SCHEDULER_REASONS = new Set(['Scheduled', 'FailedScheduling', 'Preempted']);

export function recordPodEvent(
  state: ClusterState,
  namespace: string,
  podName: string,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
): void {
  // The API server refuses events in missing or terminating namespaces; recorders drop them.
  if (!state.namespace(namespace) || state.isTerminating(namespace)) return;
  const pod = state.objects.get('pods', namespace, podName) as V1Pod | undefined;
  const now = formatTime(new Date());
  const repeat = state.objects
    .list('events', namespace)
    .find((event) => isRepeat(event as unknown as CoreV1Event, pod?.metadata?.uid, podName, type, reason, message));
  if (repeat) {
    repeat.count = ((repeat.count as number | undefined) ?? 1) + 1;
    repeat.lastTimestamp = now;
    state.objects.replace('events', repeat);
    return;
  }
  state.objects.insert('events', newEvent(namespace, podName, pod, type, reason, message, now));
}

/**
 * Records an event about the node with the object reference that node agents use: kind Node
 * and the node's name as its uid, because they do not read the Node object.
 */
export function recordNodeEvent(
  state: ClusterState,
  node: string,
  component: string,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
): void {
  if (!state.namespace(NODE_EVENT_NAMESPACE)) return;
  const now = formatTime(new Date());
  const repeat = state.objects.list('events', NODE_EVENT_NAMESPACE).find((event) => {
    const existing = event as unknown as CoreV1Event;
    return existing.involvedObject.kind === 'Node' && existing.involvedObject.name === node &&
      existing.type === type && existing.reason === reason && existing.message === message;
  });
  if (repeat) {
    repeat.count = ((repeat.count as number | undefined) ?? 1) + 1;
    repeat.lastTimestamp = now;
    state.objects.replace('events', repeat);
    return;
  }
  state.objects.insert('events', {
    metadata: { name: `${node}.${eventSuffix()}`, namespace: NODE_EVENT_NAMESPACE },
    involvedObject: { kind: 'Node', name: node, uid: node },
    reason,
    message,
    source: { component, host: node },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
    type,
    eventTime: null,
    reportingComponent: component,
    reportingInstance: node,
  });
}

function isRepeat(event: CoreV1Event, podUid: string | undefined, podName: string, type: string, reason: string, message: string): boolean {
  return (
    event.involvedObject.name === podName &&
    event.involvedObject.uid === podUid &&
    event.type === type &&
    event.reason === reason &&
    event.message === message
  );
}

function newEvent(
  namespace: string,
  podName: string,
  pod: V1Pod | undefined,
  type: string,
  reason: string,
  message: string,
  now: string,
): JsonObject {
  const component = SCHEDULER_REASONS.has(reason) ? 'default-scheduler' : 'kubelet';
  const host = pod?.spec?.nodeName;
  const podMetadata = pod ? metadataOf(pod as unknown as JsonObject) : undefined;
  return {
    metadata: { name: `${podName}.${eventSuffix()}`, namespace },
    involvedObject: {
      kind: 'Pod',
      namespace,
      name: podName,
      uid: podMetadata?.uid,
      apiVersion: 'v1',
      resourceVersion: podMetadata?.resourceVersion,
    },
    reason,
    message,
    source: component === 'kubelet' && host ? { component, host } : { component },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
    type,
    eventTime: null,
    reportingComponent: component,
    reportingInstance: component === 'kubelet' ? (host ?? '') : '',
  };
}

/** Returns the hex nanoseconds that client-go appends to an event's name. */
function eventSuffix(): string {
  const nanoseconds = BigInt(Date.now()) * 1_000_000n + process.hrtime.bigint() % 1_000_000n;
  return nanoseconds.toString(16);
}
