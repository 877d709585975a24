// Container logs as the kubelet reports them: lines stamped with a nanosecond time when they
// arrive, a flag for a finished log, and followers that receive new lines as they come.

export interface LogLine {
  /** Nanoseconds since the Unix epoch. */
  time: bigint;
  text: string;
}

export interface LogFollower {
  onLine(line: LogLine): void;
  onEnd(): void;
}

interface ContainerLog {
  lines: LogLine[];
  ended: boolean;
  followers: Set<LogFollower>;
}

/** A wall clock in nanoseconds that never repeats or goes back, so lines keep their order. */
class NanosecondClock {
  private readonly wallStart = BigInt(Date.now()) * 1_000_000n;
  private readonly monotonicStart = process.hrtime.bigint();
  private last = 0n;

  now(): bigint {
    let time = this.wallStart + (process.hrtime.bigint() - this.monotonicStart);
    if (time <= this.last) time = this.last + 1n;
    this.last = time;
    return time;
  }
}

export class LogStore {
  private readonly logs = new Map<string, ContainerLog>();
  private readonly clock = new NanosecondClock();

  append(namespace: string, pod: string, container: string, text: string): void {
    const log = this.entry(namespace, pod, container);
    if (log.ended) return;
    const line = { time: this.clock.now(), text };
    log.lines.push(line);
    for (const follower of [...log.followers]) follower.onLine(line);
  }

  end(namespace: string, pod: string, container: string): void {
    const log = this.entry(namespace, pod, container);
    log.ended = true;
    this.endFollowers(log);
  }

  /** Returns a copy of the lines so far and whether the log is complete. */
  read(namespace: string, pod: string, container: string): { lines: LogLine[]; ended: boolean } {
    const log = this.logs.get(logKey(namespace, pod, container));
    return log ? { lines: [...log.lines], ended: log.ended } : { lines: [], ended: false };
  }

  /** Adds a follower for new lines; returns the function that removes it. */
  follow(namespace: string, pod: string, container: string, follower: LogFollower): () => void {
    const log = this.entry(namespace, pod, container);
    log.followers.add(follower);
    return () => log.followers.delete(follower);
  }

  /** Forgets every container log of a pod and ends its followers (the pod is gone). */
  removePod(namespace: string, pod: string): void {
    const prefix = `${namespace}/${pod}/`;
    for (const [key, log] of this.logs) {
      if (!key.startsWith(prefix)) continue;
      this.logs.delete(key);
      this.endFollowers(log);
    }
  }

  private endFollowers(log: ContainerLog): void {
    const followers = [...log.followers];
    log.followers.clear();
    for (const follower of followers) follower.onEnd();
  }

  private entry(namespace: string, pod: string, container: string): ContainerLog {
    const key = logKey(namespace, pod, container);
    let log = this.logs.get(key);
    if (!log) {
      log = { lines: [], ended: false, followers: new Set() };
      this.logs.set(key, log);
    }
    return log;
  }
}

function logKey(namespace: string, pod: string, container: string): string {
  return `${namespace}/${pod}/${container}`;
}

/** RFC 3339 with nine fraction digits in UTC, the kubelet's format for `timestamps=true`. */
export function formatLogTime(time: bigint): string {
  const seconds = time / 1_000_000_000n;
  const nanos = time % 1_000_000_000n;
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${whole}.${nanos.toString().padStart(9, '0')}Z`;
}
