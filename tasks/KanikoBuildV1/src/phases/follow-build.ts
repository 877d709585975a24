// Follows the kaniko pod to its end, streaming the build log live into the step's log, and
// gives up early on a pod that will not start.
import type { V1Pod } from '@kubernetes/client-node';
import { setTimeout as delay } from 'node:timers/promises';
import * as tl from 'azure-pipelines-task-lib/task';
import { formatRecentEvents } from '../diagnosis/events';
import { KanikoErrorScanner } from '../diagnosis/kaniko-log';
import { StallClock, type Stall } from '../diagnosis/stall';
import type { ClusterApi } from '../kubernetes/client';
import { describeApiError } from '../kubernetes/errors';
import { followLog, type LogTarget } from '../kubernetes/pod-log';
import { watchPodUntil, type WatchResult } from '../kubernetes/pod-watch';
import { neutralizeLine } from '../log';
import { loc } from '../messages';
import { assessPod, hasStarted, type PodVerdict } from '../outcome';
import type { BuildPlan } from '../plan/plan';
import { KANIKO_CONTAINER } from '../plan/pod';
import { listPodEvents } from './pod-events';
import { ScaleUpNotices } from './scale-up-notices';

/**
 * How long the log may take to deliver its last lines after the container ended. Reconnects
 * after 429 responses or dropped connections can take this long; a healthy stream needs a moment.
 */
const LOG_DRAIN_MS = 30_000;
/** Extra time beyond the pod's own deadline before the task gives up waiting. */
const DEADLINE_MARGIN_MS = 60_000;
/**
 * How long a container may stay in ErrImagePull. The kubelet turns a failed pull into
 * ImagePullBackOff at its next pod sync, which fails the build at once. This limit covers a
 * status that stays at ErrImagePull.
 */
const PULL_ERROR_LIMIT_MS = 30_000;
const LAST_LINES = 15;

export interface FollowOptions {
  /** The build timeout, which is also the pod's activeDeadlineSeconds. */
  timeoutSeconds: number;
  /** How long the pod may stay unschedulable; unset waits until the build timeout. */
  schedulingTimeoutSeconds?: number;
  /** False when the identity may not read pods/log, which the access check found out already. */
  readLog?: boolean;
  /** Runs once, when the kaniko container has started. */
  onContainerStarted?: () => void;
  /** Runs once for each point the pod reaches, when the watch first shows it there. */
  onProgress?: (progress: PodProgress, pod: V1Pod) => void;
}

/** Points of a pod's life: bound to a node, kaniko's container started, and the build ended. */
export type PodProgress = 'scheduled' | 'started' | 'ended';

export interface BuildResult {
  verdict: PodVerdict;
  /** The last lines of the build log, for a failure message. */
  lastLines: string[];
  /** The pod's latest events as text lines, read when the build did not succeed. */
  events: string[];
}

export async function followBuild(api: ClusterApi, plan: BuildPlan, options: FollowOptions, signal: AbortSignal): Promise<BuildResult> {
  const follower = new BuildFollower(api, plan, options, signal);
  try {
    return await follower.run();
  } finally {
    await follower.stop();
  }
}

/** Waits until the log follower has read the ended container's log, or LOG_DRAIN_MS passed. */
async function drain(log: Promise<void>): Promise<void> {
  const timer = new AbortController();
  try {
    await Promise.race([log, delay(LOG_DRAIN_MS, undefined, { signal: timer.signal })]);
  } finally {
    // A pending timer would keep the process alive after the run.
    timer.abort();
  }
}

/** Watches the pod, starts the log stream once the container runs, and keeps the last lines. */
class BuildFollower {
  private readonly target: LogTarget;
  private readonly lastLines: string[] = [];
  private readonly logControl = new AbortController();
  private readonly stopLog = (): void => this.logControl.abort();
  /** Aborted when the kaniko container has ended, or the watch of the pod is over. */
  private readonly containerEnd = new AbortController();
  private readonly stallControl = new AbortController();
  private readonly clock: StallClock;
  private readonly scanner = new KanikoErrorScanner();
  private readonly scaleUps: ScaleUpNotices;
  private log: Promise<void> | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private stall: Stall | undefined;
  private lastPod: V1Pod | undefined;
  private lastDetail = '';
  private schedulingLimitShown = false;
  private readonly progressShown = new Set<PodProgress>();

  constructor(
    private readonly api: ClusterApi, private readonly plan: BuildPlan, private readonly options: FollowOptions,
    private readonly signal: AbortSignal,
  ) {
    this.target = { namespace: plan.namespace, name: plan.name, container: KANIKO_CONTAINER };
    const schedulingMs = options.schedulingTimeoutSeconds === undefined ? undefined : options.schedulingTimeoutSeconds * 1000;
    this.clock = new StallClock({ pullErrorMs: PULL_ERROR_LIMIT_MS, schedulingMs });
    this.scaleUps = new ScaleUpNotices(api, this.target);
    signal.addEventListener('abort', this.stopLog, { once: true });
  }

  async run(): Promise<BuildResult> {
    const deadline = AbortSignal.timeout(this.options.timeoutSeconds * 1000 + DEADLINE_MARGIN_MS);
    const watchSignal = AbortSignal.any([this.signal, deadline, this.stallControl.signal]);
    const watched = await watchPodUntil(this.api, this.target, (pod) => this.hasEnded(pod), (pod) => this.onPod(pod), watchSignal)
      .catch((error: unknown) => {
        if ((deadline.aborted || this.stallControl.signal.aborted) && !this.signal.aborted) return undefined;
        throw error;
      });
    this.containerEnd.abort();
    this.scaleUps.stop();
    this.clearStallTimer();
    if (this.log) await drain(this.log);
    return this.result(watched);
  }

  async stop(): Promise<void> {
    this.signal.removeEventListener('abort', this.stopLog);
    this.stopLog();
    this.scaleUps.stop();
    this.clearStallTimer();
    await this.log?.catch(() => undefined);
  }

  /** Turns how the watch ended into the verdict, with the pod's events when the build did not succeed. */
  private async result(watched: WatchResult | undefined): Promise<BuildResult> {
    const lastLines = [...this.lastLines];
    const pod = watched?.pod ?? this.lastPod;
    const quick = pod && !watched?.deleted && !this.stall ? assessPod(pod, KANIKO_CONTAINER) : undefined;
    if (quick?.kind === 'succeeded') return { verdict: quick, lastLines, events: [] };

    const events = await listPodEvents(this.api, this.target);
    const eventLines = formatRecentEvents(events);
    if (pod && (this.stall || watched)) {
      if (watched?.deleted) {
        return { verdict: { kind: 'failed', message: loc('PodDeleted', this.plan.namespace, this.plan.name) }, lastLines, events: eventLines };
      }
      const verdict = assessPod(pod, KANIKO_CONTAINER, { stall: this.stall, kanikoError: this.scanner.error, events });
      return { verdict, lastLines, events: eventLines };
    }
    const message = loc('BuildTimedOut', this.plan.name, this.options.timeoutSeconds / 60, this.lastDetail);
    return { verdict: { kind: 'failed', message }, lastLines, events: eventLines };
  }

  private hasEnded(pod: V1Pod): boolean {
    if (this.stall) return true;
    const kind = assessPod(pod, KANIKO_CONTAINER).kind;
    return kind === 'succeeded' || kind === 'failed';
  }

  private onPod(pod: V1Pod): void {
    this.lastPod = pod;
    const verdict = assessPod(pod, KANIKO_CONTAINER);
    const ended = verdict.kind === 'succeeded' || verdict.kind === 'failed';
    if (ended) this.containerEnd.abort();
    if (pod.spec?.nodeName) this.showProgress('scheduled', pod);
    if (hasStarted(pod, KANIKO_CONTAINER)) this.showProgress('started', pod);
    if (ended) this.showProgress('ended', pod);
    if (verdict.kind === 'waiting' && verdict.detail !== this.lastDetail) {
      this.lastDetail = verdict.detail;
      console.log(loc('PodWaiting', this.plan.name, verdict.detail));
    }
    this.watchForStall(pod);
    if (!this.log && hasStarted(pod, KANIKO_CONTAINER)) {
      this.options.onContainerStarted?.();
      this.startLog();
    }
  }

  private showProgress(progress: PodProgress, pod: V1Pod): void {
    if (this.progressShown.has(progress)) return;
    this.progressShown.add(progress);
    this.options.onProgress?.(progress, pod);
  }

  /** Records the pod on the stall clock and arms a timer for the next time it could be given up on. */
  private watchForStall(pod: V1Pod): void {
    const now = Date.now();
    this.clock.observe(pod, now);
    this.scaleUps.update(this.clock.unschedulable);
    if (this.clock.unschedulable && !this.schedulingLimitShown && this.options.schedulingTimeoutSeconds !== undefined) {
      this.schedulingLimitShown = true;
      console.log(loc('SchedulingLimit', this.plan.name, this.options.schedulingTimeoutSeconds / 60));
    }
    this.stall = this.clock.check(now);
    this.clearStallTimer();
    const next = this.clock.nextCheckAt();
    if (this.stall || next === undefined) return;
    this.stallTimer = setTimeout(() => {
      this.stall = this.clock.check(Date.now());
      if (this.stall) this.stallControl.abort();
    }, Math.max(0, next - now));
  }

  private clearStallTimer(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  private startLog(): void {
    if (this.options.readLog === false) {
      // A placeholder, so that the log is not tried again on the next pod version.
      this.log = Promise.resolve();
      return;
    }
    this.log = followLog(this.api, this.target, (line) => this.printLine(line), this.containerEnd.signal,
      this.logControl.signal).catch((error: unknown) => {
      tl.warning(loc('LogUnavailable', this.plan.name, describeApiError(error)));
    });
  }

  private printLine(line: string): void {
    const safe = neutralizeLine(line);
    console.log(safe);
    this.scanner.scan(safe);
    this.lastLines.push(safe);
    if (this.lastLines.length > LAST_LINES) this.lastLines.shift();
  }
}
