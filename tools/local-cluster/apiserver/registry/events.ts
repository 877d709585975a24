// Events about pods, shaped like the ones the kubelet and the scheduler record through
// client-go's event recorder: named `<pod>.<hex nanoseconds>`, and a repeat of the same
// reason and message bumps `count` and `lastTimestamp` instead of adding an event.
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import type { JsonObject } from '../decode/decode';
import type { ClusterState } from '../store/cluster-state';
import { formatTime, metadataOf } from '../store/object-store';

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
  const nanoseconds = BigInt(Date.now()) * 1_000_000n + process.hrtime.bigint() % 1_000_000n;
  const podMetadata = pod ? metadataOf(pod as unknown as JsonObject) : undefined;
  return {
    metadata: { name: `${podName}.${nanoseconds.toString(16)}`, namespace },
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
