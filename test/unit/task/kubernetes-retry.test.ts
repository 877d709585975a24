// The retry policy of Kubernetes API calls, table-driven with a fake clock: which failures are
// retried, how long each wait is, and where the retries stop.
import { strict as assert } from 'node:assert';
import { ApiException } from '@kubernetes/client-node';
import {
  API_RETRY_POLICY, callWithRetries, retryDelay, retryReason, type RetryClock, type RetryNotice, type RetryPolicy,
} from '../../../tasks/KanikoBuildV1/src/kubernetes/retry';

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

function apiError(code: number, reason = 'ServiceUnavailable', headers: Record<string, string> = {}): ApiException<string> {
  return new ApiException(code, 'failed', status(code, reason, `the server says ${reason}`), { authorization: 'Bearer secret-header', ...headers });
}

/** node-fetch's error for a connection that the server dropped. */
function dropped(code: string, text: string): Error {
  return Object.assign(new Error(`request to https://127.0.0.1:6443/api/v1/namespaces/builds/pods failed, reason: ${text}`), {
    name: 'FetchError', type: 'system', code, errno: code,
  });
}

/** A clock whose sleeps return at once and are recorded. */
class FakeClock implements RetryClock {
  readonly sleeps: number[] = [];
  private time = 0;

  constructor(private readonly randomValue = 0.5) {}

  now(): number {
    return this.time;
  }

  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    this.sleeps.push(ms);
    this.time += ms;
  }

  random(): number {
    return this.randomValue;
  }
}

describe('kubernetes: retryReason', () => {
  const cases: { name: string; error: unknown; retried: boolean; description?: RegExp; retryAfterMs?: number }[] = [
    { name: '429 with Retry-After', error: apiError(429, 'TooManyRequests', { 'retry-after': '3' }), retried: true, retryAfterMs: 3000 },
    { name: '500', error: apiError(500, 'InternalError'), retried: true, description: /^HTTP 500 InternalError: the server says InternalError$/ },
    { name: '502', error: apiError(502), retried: true },
    { name: '503', error: apiError(503), retried: true },
    { name: '504 with Retry-After', error: apiError(504, 'Timeout', { 'Retry-After': '1' }), retried: true, retryAfterMs: 1000 },
    { name: 'a refused watch with 503', error: Object.assign(new Error('Service Unavailable'), { statusCode: 503 }), retried: true, description: /^HTTP 503$/ },
    { name: 'ECONNRESET', error: dropped('ECONNRESET', 'socket hang up'), retried: true, description: /^socket hang up \(ECONNRESET\)$/ },
    { name: 'ETIMEDOUT', error: dropped('ETIMEDOUT', 'connect ETIMEDOUT 127.0.0.1:6443'), retried: true },
    { name: 'ECONNREFUSED', error: dropped('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:6443'), retried: true },
    { name: 'a socket hang up without code', error: new Error('socket hang up'), retried: true },
    { name: '400', error: apiError(400, 'BadRequest'), retried: false },
    { name: '401', error: apiError(401, 'Unauthorized'), retried: false },
    { name: '403', error: apiError(403, 'Forbidden'), retried: false },
    { name: '404', error: apiError(404, 'NotFound'), retried: false },
    { name: '409', error: apiError(409, 'AlreadyExists'), retried: false },
    { name: '422', error: apiError(422, 'Invalid'), retried: false },
    { name: 'a certificate error', error: Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), retried: false },
    { name: 'an abort', error: Object.assign(new Error('The user aborted a request.'), { name: 'AbortError' }), retried: false },
    { name: 'a string', error: 'socket hang up', retried: false },
  ];
  for (const { name, error, retried, description, retryAfterMs } of cases) {
    it(`${retried ? 'retries' : 'does not retry'} ${name}`, () => {
      const reason = retryReason(error);
      assert.equal(reason !== undefined, retried);
      if (description) assert.match(reason?.description ?? '', description);
      if (retryAfterMs !== undefined) assert.equal(reason?.retryAfterMs, retryAfterMs);
      assert.ok(!(reason?.description ?? '').includes('secret-header'), 'the description contains a response header');
    });
  }

  it('reads Retry-After as an HTTP date', () => {
    const inFiveSeconds = new Date(Date.now() + 5_000).toUTCString();
    const reason = retryReason(apiError(429, 'TooManyRequests', { 'retry-after': inFiveSeconds }));
    const wait = reason?.retryAfterMs ?? 0;
    assert.ok(wait > 3_000, String(wait));
    assert.ok(wait <= 5_000, String(wait));
  });
});

describe('kubernetes: retryDelay', () => {
  const backoff = { description: 'HTTP 503' };
  const cases: {
    name: string; attempt: number; waited: number; reason: { description: string; retryAfterMs?: number }; random: number;
    policy?: RetryPolicy; expected?: number;
  }[] = [
    { name: 'first backoff, lowest jitter', attempt: 1, waited: 0, reason: backoff, random: 0, expected: 250 },
    { name: 'first backoff, highest jitter', attempt: 1, waited: 0, reason: backoff, random: 0.999, expected: 500 },
    { name: 'second backoff doubles', attempt: 2, waited: 500, reason: backoff, random: 0.5, expected: 750 },
    { name: 'fourth backoff, lowest jitter', attempt: 4, waited: 3000, reason: backoff, random: 0, expected: 2000 },
    { name: 'backoff is capped at 8 s', attempt: 5, waited: 0, reason: backoff, random: 0, policy: { ...API_RETRY_POLICY, maxAttempts: 9 }, expected: 4000 },
    { name: 'backoff stays at the cap', attempt: 8, waited: 0, reason: backoff, random: 0, policy: { ...API_RETRY_POLICY, maxAttempts: 9 }, expected: 4000 },
    { name: 'Retry-After wins over the backoff', attempt: 1, waited: 0, reason: { description: '429', retryAfterMs: 7000 }, random: 0.5, expected: 7000 },
    { name: 'Retry-After is capped', attempt: 1, waited: 0, reason: { description: '429', retryAfterMs: 600_000 }, random: 0.5, expected: 10_000 },
    { name: 'no attempt after the fifth', attempt: 5, waited: 0, reason: backoff, random: 0.5 },
    { name: 'no wait past the total', attempt: 2, waited: 25_000, reason: { description: '429', retryAfterMs: 6000 }, random: 0.5 },
    { name: 'a wait that just fits the total', attempt: 2, waited: 24_000, reason: { description: '429', retryAfterMs: 6000 }, random: 0.5, expected: 6000 },
  ];
  for (const { name, attempt, waited, reason, random, policy, expected } of cases) {
    it(name, () => {
      assert.equal(retryDelay(policy ?? API_RETRY_POLICY, attempt, waited, reason, random), expected);
    });
  }
});

describe('kubernetes: callWithRetries', () => {
  function run<T>(call: (attempt: number) => Promise<T>, clock: FakeClock, signal = new AbortController().signal) {
    const notices: RetryNotice[] = [];
    const result = callWithRetries(call, { description: 'create pod builds/kaniko-1', signal, clock, onRetry: (notice) => notices.push(notice) });
    return { result, notices };
  }

  it('returns after failures that pass', async () => {
    const clock = new FakeClock(0.5);
    const errors = [apiError(503), dropped('ECONNRESET', 'socket hang up')];
    const { result, notices } = run(async (attempt) => {
      if (attempt <= errors.length) throw errors[attempt - 1];
      return 'created';
    }, clock);

    assert.equal(await result, 'created');
    assert.deepEqual(clock.sleeps, [375, 750]);
    assert.deepEqual(notices.map((notice) => [notice.nextAttempt, notice.maxAttempts, notice.delayMs]), [[2, 5, 375], [3, 5, 750]]);
    assert.match(notices[1].reason, /socket hang up/);
    assert.equal(notices[0].description, 'create pod builds/kaniko-1');
  });

  it('gives up after five attempts', async () => {
    const clock = new FakeClock(0.5);
    let attempts = 0;
    const { result, notices } = run(async () => {
      attempts += 1;
      throw apiError(503);
    }, clock);

    await assert.rejects(result, (error: ApiException<string>) => error.code === 503);
    assert.equal(attempts, 5);
    assert.equal(notices.length, 4);
  });

  it('stops when the waits reach 30 s', async () => {
    const clock = new FakeClock(0.5);
    let attempts = 0;
    const { result } = run(async () => {
      attempts += 1;
      throw apiError(429, 'TooManyRequests', { 'retry-after': '10' });
    }, clock);

    await assert.rejects(result, (error: ApiException<string>) => error.code === 429);
    assert.deepEqual(clock.sleeps, [10_000, 10_000, 10_000]);
    assert.equal(attempts, 4);
  });

  it('does not retry a refusal', async () => {
    const clock = new FakeClock();
    let attempts = 0;
    const { result } = run(async () => {
      attempts += 1;
      throw apiError(403, 'Forbidden');
    }, clock);

    await assert.rejects(result, (error: ApiException<string>) => error.code === 403);
    assert.equal(attempts, 1);
    assert.deepEqual(clock.sleeps, []);
  });

  it('stops at once when the signal aborts', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    let attempts = 0;
    const { result, notices } = run(async () => {
      attempts += 1;
      controller.abort(new Error('cancelled by the agent'));
      throw dropped('ECONNRESET', 'socket hang up');
    }, clock, controller.signal);

    await assert.rejects(result, /socket hang up/);
    assert.equal(attempts, 1);
    assert.equal(notices.length, 0);
  });

  it('an abort during the wait ends it', async () => {
    const controller = new AbortController();
    const clock: RetryClock = {
      now: () => 0,
      random: () => 0.5,
      sleep: (_ms, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
    };
    let attempts = 0;
    const pending = callWithRetries(async () => {
      attempts += 1;
      throw apiError(503);
    }, {
      description: 'read pod builds/kaniko-1', signal: controller.signal, clock,
      onRetry: () => setTimeout(() => controller.abort(new Error('cancelled by the agent')), 5),
    });

    await assert.rejects(pending, /cancelled by the agent/);
    assert.equal(attempts, 1);
  });
});
