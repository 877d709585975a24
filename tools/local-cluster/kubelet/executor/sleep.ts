// Waits that a stopped run cuts short, for `sleep` in RUN steps.
import { setTimeout as sleep } from 'node:timers/promises';

/** The maximum delay of Node's timers (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Waits `ms` milliseconds, and rejects with the signal's reason when it is aborted. A longer
 * wait than a timer supports, such as `sleep infinity`, ends only when the signal is aborted.
 */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= MAX_TIMER_MS) return sleep(ms, undefined, { signal });
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    else signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}
