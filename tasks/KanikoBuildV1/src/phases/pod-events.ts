// The pod's recent events, which tell why a pod did not start or was stopped.
import * as tl from 'azure-pipelines-task-lib/task';
import type { ClusterApi } from '../kubernetes/client';
import { describeApiError } from '../kubernetes/errors';
import type { PodTarget } from '../kubernetes/pod-watch';

const MAX_EVENTS = 8;

/** Returns the pod's latest events as `Warning FailedMount: message` lines; none when they cannot be read. */
export async function recentPodEvents(api: ClusterApi, target: PodTarget): Promise<string[]> {
  try {
    const events = await api.listPodEvents(target.namespace, target.name);
    return events
      .sort((a, b) => eventTime(a) - eventTime(b))
      .slice(-MAX_EVENTS)
      .map((event) => `${event.type ?? 'Normal'} ${event.reason ?? ''}: ${event.message ?? ''}`.trim());
  } catch (error) {
    // Reading events is a courtesy: a Role without `list` on events must not hide the real failure.
    tl.debug(`could not list the events of pod ${target.name}: ${describeApiError(error)}`);
    return [];
  }
}

function eventTime(event: { lastTimestamp?: Date; eventTime?: Date; metadata?: { creationTimestamp?: Date } }): number {
  const time = event.lastTimestamp ?? event.eventTime ?? event.metadata?.creationTimestamp;
  return time ? new Date(time).getTime() : 0;
}
