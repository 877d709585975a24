// When and how long to wait before sending a failed Kubernetes API request again. Only failures
// that can pass on a second try are retried: 429 Too Many Requests, the 5xx codes of an
// overloaded or restarting API server or of a proxy in front of it, and dropped connections.
import { ApiException } from '@kubernetes/client-node';
import { setTimeout as delay } from 'node:timers/promises';
import { describeApiError } from './errors';

/** Limits of the attempts of one call. */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** The waits between attempts add up to at most this. */
  maxTotalDelayMs: number;
  /** The first backoff; each further one doubles, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After header is honoured up to this. */
  maxRetryAfterMs: number;
}

export const API_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  maxTotalDelayMs: 30_000,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 10_000,
};

/** Time and randomness for the retry loop; tests pass a fake. */
export interface RetryClock {
  now(): number;
  /** Waits `ms`; rejects with the signal's reason when `signal` aborts first. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** A number in [0, 1), for the jitter. */
  random(): number;
}

export const SYSTEM_CLOCK: RetryClock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    await delay(ms, undefined, { signal }).catch(() => signal.throwIfAborted());
  },
  random: () => Math.random(),
};

/** The cause of a failure that may pass when the request is sent again. */
export interface RetryReason {
  /** The failure, such as `HTTP 503 ServiceUnavailable: ...` or `socket hang up (ECONNRESET)`. */
  description: string;
  /** The server's Retry-After, in milliseconds. */
  retryAfterMs?: number;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
// ERR_STREAM_PREMATURE_CLOSE is node-fetch's (and so client-node's Watch's) error for a response
// whose body broke off, as when the connection drops in the middle of a watch.
const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN', 'ERR_STREAM_PREMATURE_CLOSE']);

/** Returns why `error` may pass on a retry, or undefined when sending the request again cannot help. */
export function retryReason(error: unknown): RetryReason | undefined {
  const status = statusCode(error);
  if (status !== undefined) {
    if (!RETRYABLE_STATUS.has(status)) return undefined;
    const description = error instanceof ApiException ? describeApiError(error) : `HTTP ${status}`;
    return { description, retryAfterMs: retryAfterMs(error) };
  }
  if (!(error instanceof Error) || error.name === 'AbortError') return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && RETRYABLE_NETWORK_CODES.has(code)) return { description: `${networkReason(error)} (${code})` };
  if (/socket hang up/i.test(error.message)) return { description: 'socket hang up' };
  return undefined;
}

/**
 * Returns the wait before attempt `attempt + 1`, or undefined when the policy allows no further
 * attempt: after `maxAttempts`, or when the wait would take the waits past `maxTotalDelayMs`.
 * The backoff doubles from baseDelayMs and takes a random 50 to 100 % of itself, so that
 * parallel runs do not retry in step. A Retry-After wins over the backoff, up to maxRetryAfterMs.
 */
export function retryDelay(
  policy: RetryPolicy, attempt: number, waitedMs: number, reason: RetryReason, random: number,
): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const wait = reason.retryAfterMs !== undefined
    ? Math.min(reason.retryAfterMs, policy.maxRetryAfterMs)
    : Math.round(backoff * (0.5 + random / 2));
  return waitedMs + wait <= policy.maxTotalDelayMs ? wait : undefined;
}

/** A retry about to happen, for the log. */
export interface RetryNotice {
  /** The call, such as `create pod builds/kaniko-1-abcd`. */
  description: string;
  reason: string;
  delayMs: number;
  /** The attempt that comes next, counting from 1. */
  nextAttempt: number;
  maxAttempts: number;
}

export interface RetryOptions {
  description: string;
  /** Stops the retries at once, also during a wait. */
  signal: AbortSignal;
  onRetry: (notice: RetryNotice) => void;
  policy?: RetryPolicy;
  clock?: RetryClock;
}

/** Runs `call`, and runs it again after a retryable failure as the policy allows. */
export async function callWithRetries<T>(call: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = options.policy ?? API_RETRY_POLICY;
  const clock = options.clock ?? SYSTEM_CLOCK;
  let waitedMs = 0;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call(attempt);
    } catch (error) {
      const reason = options.signal.aborted ? undefined : retryReason(error);
      const wait = reason && retryDelay(policy, attempt, waitedMs, reason, clock.random());
      if (!reason || wait === undefined) throw error;
      options.onRetry({
        description: options.description, reason: reason.description, delayMs: wait, nextAttempt: attempt + 1, maxAttempts: policy.maxAttempts,
      });
      await clock.sleep(wait, options.signal);
      waitedMs += wait;
    }
  }
}

/** Returns the HTTP status of a client-node error: ApiException's code, or the statusCode that Watch sets. */
function statusCode(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  const code = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** Reads Retry-After, in seconds or as an HTTP date, from an ApiException's headers. */
function retryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const headers = (error.headers ?? {}) as Record<string, string | undefined>;
  const value = Object.entries(headers).find(([name]) => name.toLowerCase() === 'retry-after')?.[1]?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** node-fetch words a dropped connection as `request to URL failed, reason: TEXT`; only TEXT is kept. */
function networkReason(error: Error): string {
  const match = /reason: (.+)$/.exec(error.message.split('\n')[0]);
  return match ? match[1] : error.message.split('\n')[0];
}
