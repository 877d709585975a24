// Follows one pod with a watch until a decision function returns true for it.
import type { V1Pod } from '@kubernetes/client-node';
import * as tl from 'azure-pipelines-task-lib/task';
import { setTimeout as delay } from 'node:timers/promises';
import type { ClusterApi } from './client';
import { ReconnectPacer } from './reconnect';

const HTTP_GONE = 410;
/** Pause before a new watch, so that a server that closes watches at once is not flooded. */
const REWATCH_DELAY_MS = 200;

export interface PodTarget {
  namespace: string;
  name: string;
}

export type WatchResult = { pod: V1Pod; deleted: boolean };

/**
 * Reads the pod, then watches it, calling `onPod` on each version, until `isDone` returns
 * true, the pod is deleted, or `signal` aborts (which rejects with the signal's reason).
 * A watch the server closes is resumed from the last resourceVersion; an expired
 * resourceVersion (410 Gone) makes it read the pod again. A watch that cannot connect or
 * breaks with 429, 5xx or a dropped connection is resumed after the wait that `pacer` sets.
 * Other failures reject.
 */
export async function watchPodUntil(
  api: ClusterApi, target: PodTarget, isDone: (pod: V1Pod) => boolean, onPod: (pod: V1Pod) => void, signal: AbortSignal,
  pacer = new ReconnectPacer(),
): Promise<WatchResult> {
  const where = `pod ${target.namespace}/${target.name}`;
  let pod = await api.readPod(target.namespace, target.name);
  for (;;) {
    signal.throwIfAborted();
    onPod(pod);
    if (isDone(pod)) return { pod, deleted: false };
    let outcome: WatchOnceOutcome;
    try {
      outcome = await watchOnce(api, target, pod, isDone, onPod, signal);
    } catch (error) {
      signal.throwIfAborted();
      if (statusCode(error) === HTTP_GONE) {
        tl.debug(`The watch of ${where} was refused with 410 Gone; reading the pod again.`);
        pod = await api.readPod(target.namespace, target.name);
        continue;
      }
      const reconnect = pacer.afterFailure(error);
      if (!reconnect) throw error;
      tl.debug(`The watch of ${where} failed: ${reconnect.reason.description}. Reconnecting in ${(reconnect.delayMs / 1000).toFixed(1)} s `
        + `(failure ${reconnect.failures} in a row).`);
      await delay(reconnect.delayMs, undefined, { signal });
      continue;
    }
    signal.throwIfAborted();
    if (outcome.kind === 'done') return { pod: outcome.pod, deleted: outcome.deleted };
    pacer.connected();
    tl.debug(outcome.kind === 'expired'
      ? `The watch of ${where} ended with 410 Expired; reading the pod again.`
      : `The watch of ${where} ended; resuming from resourceVersion ${outcome.pod.metadata?.resourceVersion ?? '(none)'}.`);
    await delay(REWATCH_DELAY_MS, undefined, { signal });
    pod = outcome.kind === 'expired' ? await api.readPod(target.namespace, target.name) : outcome.pod;
  }
}

/** Returns the HTTP status that client-node's Watch puts on the error of a refused watch. */
function statusCode(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

type WatchOnceOutcome =
  | { kind: 'done'; pod: V1Pod; deleted: boolean }
  | { kind: 'expired' }
  | { kind: 'closed'; pod: V1Pod };

async function watchOnce(
  api: ClusterApi, target: PodTarget, last: V1Pod, isDone: (pod: V1Pod) => boolean, onPod: (pod: V1Pod) => void,
  signal: AbortSignal,
): Promise<WatchOnceOutcome> {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  signal.addEventListener('abort', stop, { once: true });
  let latest = last;
  let outcome: WatchOnceOutcome | undefined;
  try {
    await api.watchPod(target.namespace, target.name, last.metadata?.resourceVersion, (type, object) => {
      if (outcome) return;
      if (type === 'ERROR') {
        const code = (object as { code?: number }).code;
        if (code === HTTP_GONE) outcome = { kind: 'expired' };
        stop();
        return;
      }
      const pod = object as V1Pod;
      if (type === 'BOOKMARK') {
        latest = { ...latest, metadata: { ...latest.metadata, resourceVersion: pod.metadata?.resourceVersion } };
        return;
      }
      latest = pod;
      if (type === 'DELETED') {
        outcome = { kind: 'done', pod, deleted: true };
      } else {
        onPod(pod);
        if (isDone(pod)) outcome = { kind: 'done', pod, deleted: false };
      }
      if (outcome) stop();
    }, controller.signal);
  } finally {
    signal.removeEventListener('abort', stop);
  }
  return outcome ?? { kind: 'closed', pod: latest };
}
