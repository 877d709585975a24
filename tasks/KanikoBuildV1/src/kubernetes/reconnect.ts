// Pacing of the reconnects of a watch or log stream that failed to connect or broke. A stream
// lives as long as the build, so it allows more and longer waits than a single call: enough to
// ride out an API server restart, such as during an AKS control plane upgrade.
import { retryDelay, retryReason, type RetryPolicy, type RetryReason } from './retry';

/** Reconnect limits of a stream: consecutive failures and their waits, reset by every good connection. */
export const STREAM_RECONNECT_POLICY: RetryPolicy = {
  maxAttempts: 10,
  maxTotalDelayMs: 120_000,
  baseDelayMs: 500,
  maxDelayMs: 15_000,
  maxRetryAfterMs: 30_000,
};

/** The next reconnect after a failure. */
export interface Reconnect {
  delayMs: number;
  reason: RetryReason;
  /** Consecutive failures so far, this one included. */
  failures: number;
}

export class ReconnectPacer {
  private failures = 0;
  private waitedMs = 0;

  constructor(private readonly policy = STREAM_RECONNECT_POLICY, private readonly random: () => number = Math.random) {}

  /** Records a connection that worked, which resets the count of failures. */
  connected(): void {
    this.failures = 0;
    this.waitedMs = 0;
  }

  /**
   * Returns when to reconnect after `error`, or undefined when the error is not one a
   * reconnect can fix, or when the policy's failures or waits are used up.
   */
  afterFailure(error: unknown): Reconnect | undefined {
    const reason = retryReason(error);
    if (!reason) return undefined;
    this.failures += 1;
    const delayMs = retryDelay(this.policy, this.failures, this.waitedMs, reason, this.random());
    if (delayMs === undefined) return undefined;
    this.waitedMs += delayMs;
    return { delayMs, reason, failures: this.failures };
  }
}
