// Records what the step's summary shows while the run goes on: the image, the build context, the
// pod and when each phase started and ended. It imports types only, so the entry point loads it
// before the first log line at no cost.
import type { V1Pod } from '@kubernetes/client-node';
import type { PodProgress } from '../phases/follow-build';
import type { ContextTransfer } from '../phases/upload-context';
import type { ContextDelivery, RunIdentity, Settings } from '../settings/types';

/**
 * The phases of a run that the summary times, in the order of the work. The direct delivery's
 * streaming starts with the build, although it comes earlier in this order.
 */
export const PHASES = ['validation', 'upload', 'scheduling', 'start', 'build', 'cleanup'] as const;
export type Phase = (typeof PHASES)[number];

export type RunResult = 'Succeeded' | 'Failed' | 'Canceled';

/** How long a phase took, or how long it ran before the run ended, when it did not finish. */
export interface PhaseTime {
  phase: Phase;
  milliseconds: number;
  finished: boolean;
}

/** Everything the summary shows, taken from a RunReport when the step ends. */
export interface SummaryFacts {
  result: RunResult;
  repository: string;
  tags: string[];
  /** `sha256:...`, set when the image was pushed. */
  digest?: string;
  context: {
    /** Absolute path of the build context folder. */
    directory: string;
    delivery: ContextDelivery;
    /** The archive's blob and storage account; unset with the `direct` delivery. */
    blob?: { account: string; container: string; name: string };
    /** Unset when the run ended before the context was uploaded or streamed. */
    transfer?: ContextTransfer;
  };
  pod?: { namespace: string; name: string; node?: string };
  /** The phases that started, in the order they started. */
  phases: PhaseTime[];
  totalMilliseconds: number;
}

type Settled = Pick<Settings, 'image' | 'build' | 'context' | 'storage' | 'run'>;

/** Collects the summary's facts; the run calls it at each step, and the entry point reads it at the end. */
export class RunReport {
  private readonly startedAt: number;
  private readonly starts = new Map<Phase, number>();
  private readonly ends = new Map<Phase, number>();
  private settings?: Settled;
  private blobName?: string;
  private transfer?: ContextTransfer;
  private pod?: { namespace: string; name: string; node?: string };
  private digest?: string;

  constructor(private readonly clock: () => number = Date.now) {
    this.startedAt = clock();
    this.starts.set('validation', this.startedAt);
  }

  /** The run's identity, once its settings are valid; before that the run has no summary. */
  get run(): RunIdentity | undefined {
    return this.settings?.run;
  }

  recordSettings(settings: Settled): void {
    this.settings = settings;
  }

  /** Records the start of `phase`, or its end with `ended`; only the first call of each counts. */
  mark(phase: Phase, ended = false): void {
    const times = ended ? this.ends : this.starts;
    if (!times.has(phase)) times.set(phase, this.clock());
  }

  recordBlob(name: string): void {
    this.blobName = name;
  }

  recordTransfer(transfer: ContextTransfer): void {
    this.transfer = transfer;
  }

  recordPod(namespace: string, name: string): void {
    this.pod = { namespace, name };
  }

  /** Records the pod's progress, which ends and starts the phases around the build. */
  recordProgress(progress: PodProgress, pod: V1Pod): void {
    if (progress === 'scheduled') {
      if (this.pod && pod.spec?.nodeName) this.pod.node = pod.spec.nodeName;
      this.mark('scheduling', true);
      this.mark('start');
    } else if (progress === 'started') {
      this.mark('start', true);
      this.mark('build');
    } else {
      this.mark('build', true);
    }
  }

  recordDigest(digest: string): void {
    this.digest = digest;
  }

  /** Returns the facts for the summary, or undefined when the run ended before its settings were valid. */
  facts(result: RunResult): SummaryFacts | undefined {
    const settings = this.settings;
    if (!settings) return undefined;
    const now = this.clock();
    const storage = settings.storage;
    return {
      result,
      repository: settings.image.repository,
      tags: settings.image.tags,
      digest: result === 'Succeeded' ? this.digest : undefined,
      context: {
        directory: settings.build.contextDir,
        delivery: settings.context.delivery,
        blob: storage && this.blobName ? { account: storage.account, container: storage.container, name: this.blobName } : undefined,
        transfer: this.transfer,
      },
      pod: this.pod,
      phases: this.phaseTimes(now),
      totalMilliseconds: now - this.startedAt,
    };
  }

  /**
   * Times each phase that started, in the order they started. A phase that did not finish ran
   * until the cleanup started, or until now when the cleanup did not start.
   */
  private phaseTimes(now: number): PhaseTime[] {
    const cleanupStart = this.starts.get('cleanup');
    // The map keeps the order of the marks, and a stable sort keeps it for phases that started in the same millisecond.
    const started = [...this.starts].sort(([, a], [, b]) => a - b);
    return started.map(([phase, start]) => {
      const end = this.ends.get(phase);
      const stop = end ?? (phase !== 'cleanup' && cleanupStart !== undefined && cleanupStart >= start ? cleanupStart : now);
      return { phase, milliseconds: stop - start, finished: end !== undefined };
    });
  }
}
