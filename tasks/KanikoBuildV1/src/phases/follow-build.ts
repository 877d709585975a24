// Follows the kaniko pod to its end, streaming the build log live into the step's log.
import type { V1Pod } from '@kubernetes/client-node';
import { setTimeout as delay } from 'node:timers/promises';
import type { ClusterApi } from '../kubernetes/client';
import { followLog } from '../kubernetes/pod-log';
import { watchPodUntil } from '../kubernetes/pod-watch';
import { neutralizeLine } from '../log';
import { loc } from '../messages';
import { assessPod, hasStarted, type PodVerdict } from '../outcome';
import type { BuildPlan } from '../plan/plan';
import { KANIKO_CONTAINER } from '../plan/pod';

/** How long the log may take to deliver its last lines after the container ended. */
const LOG_DRAIN_MS = 5_000;
/** Extra time beyond the pod's own deadline before the task gives up waiting. */
const DEADLINE_MARGIN_MS = 60_000;
const LAST_LINES = 15;

export interface BuildResult {
  verdict: PodVerdict;
  /** The last lines of the build log, for a failure message. */
  lastLines: string[];
}

export async function followBuild(
  api: ClusterApi, plan: BuildPlan, timeoutSeconds: number, signal: AbortSignal,
): Promise<BuildResult> {
  const target = { namespace: plan.namespace, name: plan.name, container: KANIKO_CONTAINER };
  const lastLines: string[] = [];
  const logControl = new AbortController();
  const stopLog = (): void => logControl.abort();
  signal.addEventListener('abort', stopLog, { once: true });
  let containerEnded = false;
  let log: Promise<void> | undefined;
  let lastDetail = '';

  const deadline = AbortSignal.timeout(timeoutSeconds * 1000 + DEADLINE_MARGIN_MS);
  const watchSignal = AbortSignal.any([signal, deadline]);
  const onPod = (pod: V1Pod): void => {
    const verdict = assessPod(pod, KANIKO_CONTAINER);
    containerEnded = verdict.kind === 'succeeded' || verdict.kind === 'failed';
    if (verdict.kind === 'waiting' && verdict.detail !== lastDetail) {
      lastDetail = verdict.detail;
      console.log(loc('PodWaiting', plan.name, verdict.detail));
    }
    if (!log && hasStarted(pod, KANIKO_CONTAINER)) {
      log = followLog(api, target, (line) => {
        const safe = neutralizeLine(line);
        console.log(safe);
        lastLines.push(safe);
        if (lastLines.length > LAST_LINES) lastLines.shift();
      }, () => containerEnded, logControl.signal);
    }
  };

  try {
    const { pod, deleted } = await watchPodUntil(api, target, (pod) => {
      const kind = assessPod(pod, KANIKO_CONTAINER).kind;
      return kind === 'succeeded' || kind === 'failed';
    }, onPod, watchSignal).catch((error: unknown) => {
      if (deadline.aborted && !signal.aborted) return undefined;
      throw error;
    }) ?? { pod: undefined, deleted: false };
    containerEnded = true;
    if (log) await Promise.race([log, delay(LOG_DRAIN_MS)]);
    if (!pod) {
      return { verdict: { kind: 'failed', message: loc('BuildTimedOut', plan.name, timeoutSeconds / 60, lastDetail) }, lastLines };
    }
    if (deleted) return { verdict: { kind: 'failed', message: loc('PodDeleted', plan.namespace, plan.name) }, lastLines };
    return { verdict: assessPod(pod, KANIKO_CONTAINER), lastLines };
  } finally {
    signal.removeEventListener('abort', stopLog);
    stopLog();
    await log?.catch(() => undefined);
  }
}
