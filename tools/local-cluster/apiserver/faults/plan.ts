// The fault plan that LocalCluster#setFaults takes: which API failures to inject, how often, and
// for which users. Every chance is drawn from one seeded generator, so a run can be repeated.

export interface FaultPlan {
  /** Seed of the pseudo-random generator (mulberry32). Equal seeds give equal decisions for equal request sequences. */
  seed: number;
  /** Names (as given to addUser) of the users whose requests get faults. The default is every user except the admin. */
  users?: string[];
  /**
   * Chance per plain (non-streaming) request that a burst of `length` consecutive 5xx responses
   * starts. `codes` defaults to [500, 503, 504]. Each response picks one at random and carries the
   * Status that kube-apiserver sends with it (InternalError, ServiceUnavailable, Timeout).
   */
  errorBurst?: { probability: number; length: number; codes?: number[] };
  /**
   * Chance per plain request of a 429 with a Retry-After header of `retryAfterSeconds`. With `body`
   * `status` (the default) it carries a Status with reason TooManyRequests. With `plainText` it
   * carries the text/plain body of kube-apiserver's priority-and-fairness filter.
   */
  tooManyRequests?: { probability: number; retryAfterSeconds: number; body?: 'status' | 'plainText' };
  /**
   * Chance per plain request that the connection is destroyed without any response. Half of the
   * drops happen before the server acts and half after it acted, so a create may have succeeded.
   */
  dropConnection?: { probability: number };
  /** Chance per request (plain or streaming) of a delay of `delayMs` before the server responds. */
  slowResponse?: { probability: number; delayMs: number };
  /** Chance per watch that its stream is cut (socket destroyed, no clean end) after a random time in [minMs, maxMs]. */
  cutWatch?: { probability: number; minMs: number; maxMs: number };
  /** Chance per watch that it gets an ERROR event with a 410 Expired Status (as after etcd compaction) and ends. */
  expireWatch?: { probability: number };
  /** Chance per followed log stream that it is cut after a random number of bytes in [minBytes, maxBytes], possibly mid-line. */
  cutLog?: { probability: number; minBytes: number; maxBytes: number };
}

/** How many faults of each kind happened since the plan was set. */
export interface FaultCounts {
  /** Bursts of 5xx responses that started. */
  errorBursts: number;
  /** 5xx responses sent, counting every response of every burst. */
  errors: number;
  tooManyRequests: number;
  droppedConnections: number;
  slowResponses: number;
  /** Watch streams cut. A watch that ended before its cut time does not count. */
  cutWatches: number;
  expiredWatches: number;
  /** Followed log streams cut. A stream that ended before its cut point does not count. */
  cutLogs: number;
}

/** The 5xx codes an error burst can use, each with its own Status reason. */
export const BURST_CODES = [500, 503, 504] as const;

export function emptyCounts(): FaultCounts {
  return {
    errorBursts: 0, errors: 0, tooManyRequests: 0, droppedConnections: 0,
    slowResponses: 0, cutWatches: 0, expiredWatches: 0, cutLogs: 0,
  };
}

/** Throws an error that names every invalid field of the plan, with its value and the accepted values. */
export function validateFaultPlan(plan: FaultPlan): void {
  const problems: string[] = [];
  if (!Number.isSafeInteger(plan.seed)) problems.push(`seed must be an integer, got ${show(plan.seed)}`);
  if (plan.users !== undefined && (!Array.isArray(plan.users) || plan.users.some((user) => typeof user !== 'string' || user === ''))) {
    problems.push(`users must be a list of user names, got ${show(plan.users)}`);
  }
  if (plan.errorBurst) {
    checkProbability('errorBurst', plan.errorBurst.probability, problems);
    checkInteger('errorBurst.length', plan.errorBurst.length, 1, problems);
    const codes = plan.errorBurst.codes;
    const allowed: readonly number[] = BURST_CODES;
    if (codes !== undefined && (!Array.isArray(codes) || codes.length === 0 || codes.some((code) => !allowed.includes(code)))) {
      problems.push(`errorBurst.codes must be a non-empty list of ${BURST_CODES.join(', ')}, got ${show(codes)}`);
    }
  }
  if (plan.tooManyRequests) {
    checkProbability('tooManyRequests', plan.tooManyRequests.probability, problems);
    checkInteger('tooManyRequests.retryAfterSeconds', plan.tooManyRequests.retryAfterSeconds, 1, problems);
    const body = plan.tooManyRequests.body;
    if (body !== undefined && body !== 'status' && body !== 'plainText') {
      problems.push(`tooManyRequests.body must be "status" or "plainText", got ${show(body)}`);
    }
  }
  if (plan.dropConnection) checkProbability('dropConnection', plan.dropConnection.probability, problems);
  if (plan.slowResponse) {
    checkProbability('slowResponse', plan.slowResponse.probability, problems);
    checkNumber('slowResponse.delayMs', plan.slowResponse.delayMs, problems);
  }
  if (plan.cutWatch) {
    checkProbability('cutWatch', plan.cutWatch.probability, problems);
    checkRange('cutWatch', 'minMs', 'maxMs', plan.cutWatch.minMs, plan.cutWatch.maxMs, false, problems);
  }
  if (plan.expireWatch) checkProbability('expireWatch', plan.expireWatch.probability, problems);
  if (plan.cutLog) {
    checkProbability('cutLog', plan.cutLog.probability, problems);
    checkRange('cutLog', 'minBytes', 'maxBytes', plan.cutLog.minBytes, plan.cutLog.maxBytes, true, problems);
  }
  if (problems.length > 0) throw new Error(`Invalid fault plan: ${problems.join('; ')}.`);
}

function checkProbability(name: string, value: unknown, problems: string[]): void {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    problems.push(`${name}.probability must be a number from 0 to 1, got ${show(value)}`);
  }
}

function checkInteger(name: string, value: unknown, minimum: number, problems: string[]): void {
  if (!Number.isSafeInteger(value) || (value as number) < minimum) problems.push(`${name} must be an integer of at least ${minimum}, got ${show(value)}`);
}

function checkNumber(name: string, value: unknown, problems: string[]): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) problems.push(`${name} must be a number of at least 0, got ${show(value)}`);
}

function checkRange(name: string, low: string, high: string, min: unknown, max: unknown, integers: boolean, problems: string[]): void {
  const valid = (value: unknown): boolean => (integers ? Number.isSafeInteger(value) : Number.isFinite(value)) && (value as number) >= 0;
  const kind = integers ? 'an integer' : 'a number';
  if (!valid(min)) problems.push(`${name}.${low} must be ${kind} of at least 0, got ${show(min)}`);
  else if (!valid(max)) problems.push(`${name}.${high} must be ${kind} of at least 0, got ${show(max)}`);
  else if ((min as number) > (max as number)) problems.push(`${name}.${low} (${show(min)}) must not be greater than ${name}.${high} (${show(max)})`);
}

function show(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value);
}
