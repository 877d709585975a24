// Decides which faults each API request gets under the current fault plan. Every request of a
// faulted user draws a fixed number of values from the plan's generator, in the order the
// requests arrive, so equal seeds and equal request sequences give equal decisions.
import type { ServerResponse } from 'node:http';
import { ADMIN_USER } from '../auth';
import { baseHeaders, sendError } from '../http';
import { type ApiError, internalError, requestTimeout, serviceUnavailable, tooManyRequests } from '../status';
import { BURST_CODES, emptyCounts, type FaultCounts, type FaultPlan, validateFaultPlan } from './plan';
import { mulberry32 } from './random';

/** How the server serves a request, which decides the faults it can get. */
export type RequestKind = 'plain' | 'watch' | 'followLog';

/** A fault that replaces the server's response to a plain request. */
export type PlainFault =
  | { kind: 'respond'; send(response: ServerResponse): void }
  | { kind: 'drop'; afterAction: boolean };

/** Faults that a watch or followed log handler applies while it streams. */
export interface StreamFaults {
  /** Watches: destroy the connection this many milliseconds after the watch began following changes. */
  cutAfterMs?: number;
  /** Watches: send an ERROR event with a 410 Expired Status and end, in place of any other event. */
  expire?: boolean;
  /** Followed logs: destroy the connection once this many bytes of log were sent. */
  cutAfterBytes?: number;
  /** Counts a stream fault at the moment it happens. */
  record(kind: 'cutWatches' | 'expiredWatches' | 'cutLogs'): void;
}

/** The faults of one request. */
export interface RequestFaults {
  /** Delay before the server responds, in milliseconds, or 0 for none. */
  delayMs: number;
  plain?: PlainFault;
  stream?: StreamFaults;
}

/** The cause in the message of a 500 response of an error burst, a typical etcd failure behind the API server. */
const ETCD_TIMEOUT = 'etcdserver: request timed out';
/** The body of kube-apiserver's own 429 (tooManyRequests in k8s.io/apiserver/pkg/server/filters/maxinflight.go). */
const TOO_MANY_REQUESTS_TEXT = 'Too many requests, please try again later.';

interface ActivePlan {
  plan: FaultPlan;
  random: () => number;
  counts: FaultCounts;
  /** Responses left in the error burst under way. */
  burstRemaining: number;
}

export class FaultInjector {
  private active?: ActivePlan;

  /** Replaces the plan (undefined removes it) and starts new counts. Requests already under way keep their faults. */
  setPlan(plan: FaultPlan | undefined): void {
    if (plan === undefined) {
      this.active = undefined;
      return;
    }
    validateFaultPlan(plan);
    const copy = structuredClone(plan);
    this.active = { plan: copy, random: mulberry32(copy.seed), counts: emptyCounts(), burstRemaining: 0 };
  }

  /** Returns a copy of the counts since the plan was set, all zero without a plan. */
  counts(): FaultCounts {
    return { ...(this.active?.counts ?? emptyCounts()) };
  }

  /** Returns the faults of a request by `userName`, or undefined when the plan spares it. */
  decide(userName: string, kind: RequestKind): RequestFaults | undefined {
    const active = this.active;
    if (!active || !appliesTo(active.plan, userName)) return undefined;
    const { plan, random, counts } = active;
    const slow = plan.slowResponse !== undefined && random() < plan.slowResponse.probability;
    if (slow) counts.slowResponses += 1;
    const faults: RequestFaults = { delayMs: slow ? plan.slowResponse?.delayMs ?? 0 : 0 };
    if (kind === 'plain') faults.plain = decidePlain(active);
    else if (kind === 'watch') faults.stream = decideWatch(active);
    else faults.stream = decideLog(active);
    return faults;
  }
}

function appliesTo(plan: FaultPlan, userName: string): boolean {
  return plan.users ? plan.users.includes(userName) : userName !== ADMIN_USER.name;
}

function decidePlain(active: ActivePlan): PlainFault | undefined {
  const { plan, random, counts } = active;
  const [burstDraw, codeDraw, throttleDraw, dropDraw, timingDraw] = [random(), random(), random(), random(), random()];
  const burst = plan.errorBurst;
  if (active.burstRemaining > 0 || (burst !== undefined && burstDraw < burst.probability)) {
    if (active.burstRemaining > 0) {
      active.burstRemaining -= 1;
    } else {
      counts.errorBursts += 1;
      active.burstRemaining = (burst?.length ?? 1) - 1;
    }
    counts.errors += 1;
    const codes = burst?.codes ?? BURST_CODES;
    const error = burstError(codes[Math.floor(codeDraw * codes.length)]);
    return { kind: 'respond', send: (response) => sendError(response, error) };
  }
  const throttle = plan.tooManyRequests;
  if (throttle !== undefined && throttleDraw < throttle.probability) {
    counts.tooManyRequests += 1;
    return { kind: 'respond', send: (response) => sendTooManyRequests(response, throttle.retryAfterSeconds, throttle.body ?? 'status') };
  }
  if (plan.dropConnection !== undefined && dropDraw < plan.dropConnection.probability) {
    counts.droppedConnections += 1;
    return { kind: 'drop', afterAction: timingDraw < 0.5 };
  }
  return undefined;
}

function decideWatch(active: ActivePlan): StreamFaults {
  const { plan, random } = active;
  const [expireDraw, cutDraw, timeDraw] = [random(), random(), random()];
  const faults: StreamFaults = { record: recorder(active.counts) };
  if (plan.expireWatch !== undefined && expireDraw < plan.expireWatch.probability) {
    faults.expire = true;
  } else if (plan.cutWatch !== undefined && cutDraw < plan.cutWatch.probability) {
    faults.cutAfterMs = plan.cutWatch.minMs + timeDraw * (plan.cutWatch.maxMs - plan.cutWatch.minMs);
  }
  return faults;
}

function decideLog(active: ActivePlan): StreamFaults {
  const { plan, random } = active;
  const [cutDraw, sizeDraw] = [random(), random()];
  const faults: StreamFaults = { record: recorder(active.counts) };
  const cut = plan.cutLog;
  if (cut !== undefined && cutDraw < cut.probability) {
    faults.cutAfterBytes = cut.minBytes + Math.floor(sizeDraw * (cut.maxBytes - cut.minBytes + 1));
  }
  return faults;
}

/** Counts into the counts of the plan that decided the fault, so a later plan starts from zero. */
function recorder(counts: FaultCounts): StreamFaults['record'] {
  return (kind) => {
    counts[kind] += 1;
  };
}

function burstError(code: number): ApiError {
  if (code === 503) return serviceUnavailable();
  if (code === 504) return requestTimeout();
  return internalError(ETCD_TIMEOUT);
}

function sendTooManyRequests(response: ServerResponse, retryAfterSeconds: number, body: 'status' | 'plainText'): void {
  if (body === 'status') {
    sendError(response, tooManyRequests(TOO_MANY_REQUESTS_TEXT, retryAfterSeconds));
    return;
  }
  // Go's http.Error writes a text/plain body that ends with a newline.
  const text = `${TOO_MANY_REQUESTS_TEXT}\n`;
  response.writeHead(429, {
    ...baseHeaders(),
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Retry-After': String(retryAfterSeconds),
    'Content-Length': String(Buffer.byteLength(text)),
  });
  response.end(text);
}
