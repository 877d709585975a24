// Decides when a pod that still waits will not start: a container that keeps failing to pull
// its image, or a pod that the scheduler cannot place for longer than allowed. The pod's
// status alone cannot tell this, so the clock remembers since when each state lasts. Pure:
// times are passed in, so it is tested without timers.
import type { V1Pod } from '@kubernetes/client-node';

/** The reason to give up on a waiting pod. */
export type Stall =
  | { kind: 'imagePull'; container: string; seconds: number }
  | { kind: 'unschedulable'; minutes: number };

export interface StallLimits {
  /** How long a container may stay in ErrImagePull, in milliseconds. */
  pullErrorMs: number;
  /** How long the pod may stay unschedulable, in milliseconds; unset means no limit. */
  schedulingMs?: number;
}

interface PullErrorState {
  /** When the current ErrImagePull began. */
  since: number;
  /** How many times the container entered ErrImagePull. */
  episodes: number;
  inError: boolean;
}

export class StallClock {
  private unschedulableSince: number | undefined;
  private readonly pullErrors = new Map<string, PullErrorState>();

  constructor(private readonly limits: StallLimits) {}

  /** Records a version of the pod that was seen at `now` (milliseconds). */
  observe(pod: V1Pod, now: number): void {
    const unschedulable = pod.status?.conditions?.some(
      (condition) => condition.type === 'PodScheduled' && condition.status === 'False' && condition.reason === 'Unschedulable',
    );
    this.unschedulableSince = unschedulable ? this.unschedulableSince ?? now : undefined;

    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    for (const status of statuses) {
      const pulling = status.state?.waiting?.reason === 'ErrImagePull';
      const state = this.pullErrors.get(status.name);
      if (pulling && !state?.inError) {
        this.pullErrors.set(status.name, { since: now, episodes: (state?.episodes ?? 0) + 1, inError: true });
      } else if (!pulling && state) {
        state.inError = false;
      }
    }
  }

  /**
   * Returns the stall at `now`: a container in ErrImagePull for pullErrorMs, or again after it
   * had left that state (the kubelet retries a failed pull after a back-off), or a pod
   * unschedulable for schedulingMs.
   */
  check(now: number): Stall | undefined {
    for (const [container, state] of this.pullErrors) {
      if (state.inError && (state.episodes > 1 || now - state.since >= this.limits.pullErrorMs)) {
        return { kind: 'imagePull', container, seconds: Math.round((now - state.since) / 1000) };
      }
    }
    const { schedulingMs } = this.limits;
    if (this.unschedulableSince !== undefined && schedulingMs !== undefined && now - this.unschedulableSince >= schedulingMs) {
      return { kind: 'unschedulable', minutes: schedulingMs / 60_000 };
    }
    return undefined;
  }

  /** Returns the earliest time at which check() can find a stall without a new pod version, if any. */
  nextCheckAt(): number | undefined {
    const times: number[] = [];
    for (const state of this.pullErrors.values()) {
      if (state.inError) times.push(state.since + this.limits.pullErrorMs);
    }
    if (this.unschedulableSince !== undefined && this.limits.schedulingMs !== undefined) {
      times.push(this.unschedulableSince + this.limits.schedulingMs);
    }
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  /** Whether the scheduler could not place the pod in the last version seen. */
  get unschedulable(): boolean {
    return this.unschedulableSince !== undefined;
  }
}
