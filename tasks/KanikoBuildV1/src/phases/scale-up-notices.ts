// While the scheduler cannot place the build pod, prints what the cluster autoscaler decided:
// that it adds a node (TriggeredScaleUp), or why it will not (NotTriggerScaleUp).
import { lastScaleUpEvent } from '../diagnosis/events';
import type { ClusterApi } from '../kubernetes/client';
import type { PodTarget } from '../kubernetes/pod-watch';
import { loc } from '../messages';
import { listPodEvents } from './pod-events';

/** How often the pod's events are read while it is unschedulable. */
const POLL_INTERVAL_MS = 15_000;

export class ScaleUpNotices {
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private lastShownDecision = '';

  constructor(private readonly api: ClusterApi, private readonly target: PodTarget, private readonly intervalMs = POLL_INTERVAL_MS) {}

  /** Starts reading the events when the pod became unschedulable, and stops once it is not. */
  update(unschedulable: boolean): void {
    if (!unschedulable) {
      this.stop();
      return;
    }
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
    void this.poll();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Prints the autoscaler's latest decision once; a run without `list` on events prints nothing. */
  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const decision = lastScaleUpEvent(await listPodEvents(this.api, this.target));
      const key = decision ? `${decision.reason} ${decision.message}` : '';
      if (!decision || key === this.lastShownDecision || !this.timer) return;
      this.lastShownDecision = key;
      const messageKey = decision.reason === 'TriggeredScaleUp' ? 'ScaleUpTriggered' : 'ScaleUpNotTriggered';
      console.log(loc(messageKey, this.target.name, decision.message.replace(/\.+$/, '')));
    } finally {
      this.polling = false;
    }
  }
}
