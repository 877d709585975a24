// Reads the pod's events: the recent ones for a failure message, the kubelet's pull error for
// an image, and the cluster autoscaler's decision for a pod that does not fit. Pure.
import type { CoreV1Event } from '@kubernetes/client-node';

/** How many event lines a failure message shows. */
export const MAX_EVENT_LINES = 8;

/** Returns the events oldest first, by their last occurrence; events of the same time keep the API's order. */
export function sortEvents(events: CoreV1Event[]): CoreV1Event[] {
  return [...events].sort((a, b) => eventTime(a) - eventTime(b));
}

/**
 * Formats the latest events as `Warning Failed: message`, oldest first. An event that the
 * recorder repeated, or that appears more than once with the same type, reason and message,
 * shows once, at its last occurrence, with its total count.
 */
export function formatRecentEvents(events: CoreV1Event[], max = MAX_EVENT_LINES): string[] {
  const merged = new Map<string, { text: string; count: number }>();
  for (const event of sortEvents(events)) {
    const text = `${event.type ?? 'Normal'} ${event.reason ?? ''}: ${event.message ?? ''}`.trim();
    const count = (merged.get(text)?.count ?? 0) + (event.count ?? 1);
    // Deleting first moves the entry to the end, so the map keeps the order of last occurrences.
    merged.delete(text);
    merged.set(text, { text, count });
  }
  return [...merged.values()]
    .slice(-max)
    .map(({ text, count }) => (count > 1 ? `${text} (${count} times)` : text));
}

/**
 * Returns the kubelet's message of the last failed pull of `image`, such as `Failed to pull image
 * "x": rpc error: ... not found` (the kubelet's event reason is Failed).
 */
export function lastPullError(events: CoreV1Event[], image: string): string | undefined {
  const prefix = `Failed to pull image ${JSON.stringify(image)}`;
  return sortEvents(events).reverse().find((event) => event.reason === 'Failed' && event.message?.startsWith(prefix))?.message;
}

/** The cluster autoscaler's event reasons about a pending pod (kubernetes/autoscaler, eventing_scale_up_processor.go). */
export type ScaleUpReason = 'TriggeredScaleUp' | 'NotTriggerScaleUp';

/** Returns the autoscaler's latest decision about the pod, if it made one. */
export function lastScaleUpEvent(events: CoreV1Event[]): { reason: ScaleUpReason; message: string } | undefined {
  const event = sortEvents(events)
    .reverse()
    .find((candidate) => candidate.reason === 'TriggeredScaleUp' || candidate.reason === 'NotTriggerScaleUp');
  return event ? { reason: event.reason as ScaleUpReason, message: event.message ?? '' } : undefined;
}

function eventTime(event: CoreV1Event): number {
  const time = event.lastTimestamp ?? event.eventTime ?? event.metadata?.creationTimestamp;
  return time ? new Date(time).getTime() : 0;
}
