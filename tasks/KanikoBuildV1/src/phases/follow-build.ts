// Follows the kaniko pod to its end, streaming the build log live into the step's log.
import type { V1Pod } from '@kubernetes/client-node';
import { setTimeout as delay } from 'node:timers/promises';
import * as tl from 'azure-pipelines-task-lib/task';
import type { ClusterApi } from '../kubernetes/client';
import { describeApiError } from '../kubernetes/errors';
import { followLog, type LogTarget } from '../kubernetes/pod-log';
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

/** Follows the pod to its end; `onContainerStarted` runs once, when the kaniko container has started. */
export async function followBuild(
  api: ClusterApi, plan: BuildPlan, timeoutSeconds: number, signal: AbortSignal, onContainerStarted?: () => void,
): Promise<BuildResult> {
  const follower = new BuildFollower(api, plan, signal, onContainerStarted);
  try {
    return await follower.run(timeoutSeconds);
  } finally {
    await follower.stop();
  }
}

/** Watches the pod, starts the log stream once the container runs, and keeps the last lines. */
class BuildFollower {
  private readonly target: LogTarget;
  private readonly lastLines: string[] = [];
  private readonly logControl = new AbortController();
  private readonly stopLog = (): void => this.logControl.abort();
  private log: Promise<void> | undefined;
  private containerEnded = false;
  private lastDetail = '';

  constructor(
    private readonly api: ClusterApi, private readonly plan: BuildPlan, private readonly signal: AbortSignal,
    private readonly onContainerStarted?: () => void,
  ) {
    this.target = { namespace: plan.namespace, name: plan.name, container: KANIKO_CONTAINER };
    signal.addEventListener('abort', this.stopLog, { once: true });
  }

  async run(timeoutSeconds: number): Promise<BuildResult> {
    const deadline = AbortSignal.timeout(timeoutSeconds * 1000 + DEADLINE_MARGIN_MS);
    const watched = await watchPodUntil(this.api, this.target, hasEnded, (pod) => this.onPod(pod),
      AbortSignal.any([this.signal, deadline])).catch((error: unknown) => {
      if (deadline.aborted && !this.signal.aborted) return undefined;
      throw error;
    });
    this.containerEnded = true;
    if (this.log) await Promise.race([this.log, delay(LOG_DRAIN_MS)]);

    const lastLines = [...this.lastLines];
    if (!watched) {
      const message = loc('BuildTimedOut', this.plan.name, timeoutSeconds / 60, this.lastDetail);
      return { verdict: { kind: 'failed', message }, lastLines };
    }
    if (watched.deleted) {
      return { verdict: { kind: 'failed', message: loc('PodDeleted', this.plan.namespace, this.plan.name) }, lastLines };
    }
    return { verdict: assessPod(watched.pod, KANIKO_CONTAINER), lastLines };
  }

  async stop(): Promise<void> {
    this.signal.removeEventListener('abort', this.stopLog);
    this.stopLog();
    await this.log?.catch(() => undefined);
  }

  private onPod(pod: V1Pod): void {
    const verdict = assessPod(pod, KANIKO_CONTAINER);
    this.containerEnded = verdict.kind === 'succeeded' || verdict.kind === 'failed';
    if (verdict.kind === 'waiting' && verdict.detail !== this.lastDetail) {
      this.lastDetail = verdict.detail;
      console.log(loc('PodWaiting', this.plan.name, verdict.detail));
    }
    if (!this.log && hasStarted(pod, KANIKO_CONTAINER)) {
      this.onContainerStarted?.();
      this.log = followLog(this.api, this.target, (line) => this.printLine(line), () => this.containerEnded,
        this.logControl.signal).catch((error: unknown) => {
        tl.warning(loc('LogUnavailable', this.plan.name, describeApiError(error)));
      });
    }
  }

  private printLine(line: string): void {
    const safe = neutralizeLine(line);
    console.log(safe);
    this.lastLines.push(safe);
    if (this.lastLines.length > LAST_LINES) this.lastLines.shift();
  }
}

function hasEnded(pod: V1Pod): boolean {
  const kind = assessPod(pod, KANIKO_CONTAINER).kind;
  return kind === 'succeeded' || kind === 'failed';
}
