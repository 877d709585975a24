// The pod's events, which tell why a pod did not start or was stopped.
import * as tl from 'azure-pipelines-task-lib/task';
import type { CoreV1Event } from '@kubernetes/client-node';
import { sortEvents } from '../diagnosis/events';
import type { ClusterApi } from '../kubernetes/client';
import { describeApiError } from '../kubernetes/errors';
import type { PodTarget } from '../kubernetes/pod-watch';
import { withTimeout } from '../timeout';

const REQUEST_TIMEOUT_MS = 10_000;

/** Returns the pod's events, oldest first; none when they cannot be read. */
export async function listPodEvents(api: ClusterApi, target: PodTarget): Promise<CoreV1Event[]> {
  try {
    const events = await withTimeout(api.listPodEvents(target.namespace, target.name), REQUEST_TIMEOUT_MS, `listing the events of pod ${target.name}`);
    return sortEvents(events.filter((event) => (event.involvedObject?.kind ?? 'Pod') === 'Pod'));
  } catch (error) {
    // Reading events is a courtesy: a Role without `list` on events must not hide the real failure.
    tl.debug(`could not list the events of pod ${target.name}: ${describeApiError(error)}`);
    return [];
  }
}
