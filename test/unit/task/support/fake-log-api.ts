// A ClusterApi stand-in whose streamLog serves a fixed, timestamped container log the way the
// Kubernetes log endpoint does with timestamps=true and sinceTime. Only streamLog is implemented.
import type { Writable } from 'node:stream';
import type { ClusterApi } from '../../../../tasks/KanikoBuildV1/src/kubernetes/client';
import { unusedClusterApi } from './unused-cluster-api';

export interface LogLine {
  /** RFC 3339 time as the API server writes it (fraction without trailing zeros). */
  stamp: string;
  text: string;
}

/** What one streamLog call does: throw, or send lines up to an index and then close. */
export type StreamStep =
  | { kind: 'throw'; error: unknown }
  | { kind: 'send'; until: number; finishAfter?: boolean; tail?: string }
  | { kind: 'hang'; until: number };

export interface StreamCall {
  sinceTime?: string;
  controller: AbortController;
}

const CHUNK_BYTES = 7;

export class FakeLogApi {
  readonly calls: StreamCall[] = [];
  private readonly end = new AbortController();

  constructor(private readonly lines: LogLine[], private readonly steps: StreamStep[]) {}

  /** Aborts when the container has ended, as followLog's `containerEnded` does. */
  get ended(): AbortSignal {
    return this.end.signal;
  }

  /** Whether the container has ended. Setting it to true ends the container; it cannot start again. */
  get finished(): boolean {
    return this.end.signal.aborted;
  }

  set finished(value: boolean) {
    if (value) this.end.abort();
  }

  /** Returns the object followLog receives. Calling anything but streamLog fails the test. */
  asClusterApi(): ClusterApi {
    return {
      ...unusedClusterApi('followLog called a ClusterApi method other than streamLog'),
      streamLog: (_namespace, _pod, _container, sink, sinceTime) => this.streamLog(sink, sinceTime),
    };
  }

  private async streamLog(sink: Writable, sinceTime?: string): Promise<AbortController> {
    const controller = new AbortController();
    const step = this.steps[this.calls.length] ?? { kind: 'send', until: this.lines.length, finishAfter: true };
    this.calls.push({ sinceTime, controller });
    if (step.kind === 'throw') throw step.error;

    // A resumed stream starts at the whole second of sinceTime, so it repeats lines of that second.
    const since = sinceTime?.slice(0, 19) ?? '';
    const selected = this.lines.slice(0, step.until).filter((line) => line.stamp.slice(0, 19) >= since);
    const text = selected.map((line) => `${line.stamp} ${line.text}\n`).join('') + (step.kind === 'send' ? step.tail ?? '' : '');
    setImmediate(() => {
      // Small chunks split lines and multi-byte characters, as network reads do.
      const bytes = Buffer.from(text, 'utf8');
      for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) sink.write(bytes.subarray(offset, offset + CHUNK_BYTES));
      if (step.kind === 'hang') return;
      if (step.finishAfter) this.finished = true;
      sink.end();
    });
    return controller;
  }
}
