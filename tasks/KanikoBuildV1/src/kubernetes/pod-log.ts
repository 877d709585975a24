// Streams a container's log line by line, resuming without loss or repetition when the
// server closes the stream early (client-node's follow streams can end before the container).
import { ApiException } from '@kubernetes/client-node';
import * as tl from 'azure-pipelines-task-lib/task';
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as delay } from 'node:timers/promises';
import type { ClusterApi } from './client';
import type { PodTarget } from './pod-watch';
import { ReconnectPacer } from './reconnect';

/** Pause before a new stream after one ended early or the container had not started yet. */
const RECONNECT_DELAY_MS = 500;
const HTTP_BAD_REQUEST = 400;
const HTTP_UNAUTHORIZED = 401;
const HTTP_FORBIDDEN = 403;
const HTTP_NOT_FOUND = 404;

export interface LogTarget extends PodTarget {
  container: string;
}

/**
 * Follows the log until it has read the whole log of the ended container, or `signal` aborts.
 * `containerEnded` aborts when the pod's status shows that the container has ended. Each line is
 * passed to `onLine` once, in order, without its timestamp. A stream that ends early, or fails
 * with 429, 5xx or a dropped connection, is resumed from the last line read. Only a stream that
 * was opened after the container ended and ran to its end proves that no line is missing, so the
 * follow ends with one such read, which starts as soon as the container has ended.
 */
export async function followLog(
  api: ClusterApi, target: LogTarget, onLine: (line: string) => void, containerEnded: AbortSignal, signal: AbortSignal,
  pacer = new ReconnectPacer(),
): Promise<void> {
  const where = `container ${target.container} of pod ${target.namespace}/${target.name}`;
  const position = new LogPosition();
  const untilEnded = AbortSignal.any([signal, containerEnded]);
  while (!signal.aborted) {
    const sink = new LineSink((line) => {
      const text = position.accept(line);
      if (text !== undefined) onLine(text);
    });
    const finishedAtOpen = containerEnded.aborted;
    // A stream opened while the container ran is cut when the container ends, because the read
    // after the end follows anyway, and the kubelet ends a follow up to a second after the
    // container (logForceCheckPeriod in the kubelet's pkg/kubelet/kuberuntime/logs/logs.go).
    const streamSignal = finishedAtOpen ? signal : untilEnded;
    let backoffMs: number | undefined;
    try {
      const controller = await api.streamLog(target.namespace, target.name, target.container, sink, position.sinceTime(), streamSignal);
      pacer.connected();
      await streamEnd(sink, controller, streamSignal);
      if (finishedAtOpen) {
        // The log of an ended container ends with its last line, which may lack a newline.
        const remainder = sink.takeRemainder();
        const text = remainder ? position.accept(remainder) : undefined;
        if (text !== undefined) onLine(text);
        return;
      }
      if (!containerEnded.aborted) tl.debug(`The log stream of ${where} ended early; resuming from ${position.sinceTime() ?? 'the start'}.`);
    } catch (error) {
      // 400 means that the container has not started yet, and 404 that the pod is gone. A
      // refused request cannot succeed on retry.
      if (error instanceof ApiException && error.code === HTTP_NOT_FOUND) return;
      if (error instanceof ApiException && (error.code === HTTP_UNAUTHORIZED || error.code === HTTP_FORBIDDEN)) throw error;
      if (signal.aborted) return;
      const notStarted = error instanceof ApiException && error.code === HTTP_BAD_REQUEST;
      // A container that ended without starting, as after a failed init container, has no log.
      if (notStarted && containerEnded.aborted) return;
      // A request cut because the container ended is followed by the read after the end.
      if (!notStarted && !streamSignal.aborted) {
        const reconnect = pacer.afterFailure(error);
        if (!reconnect) throw error;
        backoffMs = reconnect.delayMs;
        tl.debug(`The log stream of ${where} failed: ${reconnect.reason.description}. Reconnecting in `
          + `${(backoffMs / 1000).toFixed(1)} s (failure ${reconnect.failures} in a row).`);
      }
    }
    position.rewind();
    if (backoffMs === undefined) {
      // The read after the container ended need not wait: its lines are all there.
      if (containerEnded.aborted) continue;
      await delay(RECONNECT_DELAY_MS, undefined, { signal: untilEnded }).catch(() => undefined);
    } else {
      // A wait after a failure keeps its full length, which can be the server's Retry-After.
      await delay(backoffMs, undefined, { signal }).catch(() => undefined);
    }
  }
}

/** Resolves when the stream ended, or `signal` aborted; rejects when it broke off. */
function streamEnd(sink: LineSink, controller: AbortController, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (settleWith: () => void): void => {
      signal.removeEventListener('abort', abort);
      settleWith();
    };
    const abort = (): void => {
      controller.abort();
      settle(resolve);
    };
    signal.addEventListener('abort', abort, { once: true });
    sink.once('finish', () => settle(resolve));
    sink.once('error', (error) => settle(() => reject(error)));
  });
}

/**
 * The read position in the log: the last timestamp and how many lines carried it. A resumed
 * stream starts at that second (`sinceTime` has whole-second precision), and the lines seen
 * already are skipped.
 */
class LogPosition {
  private lastKey = '';
  private lastStamp = '';
  private linesAtLast = 0;
  private skipAtLast = 0;

  /** Returns the line's text when it is new, or undefined when it was passed on before. */
  accept(line: string): string | undefined {
    const space = line.indexOf(' ');
    const stamp = space > 0 ? line.slice(0, space) : line;
    const key = sortableTimestamp(stamp);
    if (key === undefined) return line;
    const text = space > 0 ? line.slice(space + 1) : '';
    if (key < this.lastKey) return undefined;
    if (key === this.lastKey) {
      if (this.skipAtLast > 0) {
        this.skipAtLast -= 1;
        return undefined;
      }
      this.linesAtLast += 1;
      return text;
    }
    this.lastKey = key;
    this.lastStamp = stamp;
    this.linesAtLast = 1;
    this.skipAtLast = 0;
    return text;
  }

  rewind(): void {
    this.skipAtLast = this.linesAtLast;
  }

  sinceTime(): string | undefined {
    return this.lastStamp ? this.lastStamp.replace(/\.\d+Z$/, 'Z') : undefined;
  }
}

/** Turns an RFC 3339 UTC time with up to nine fraction digits into a string that sorts by time. */
function sortableTimestamp(stamp: string): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(stamp);
  return match ? `${match[1]}.${(match[2] ?? '').padEnd(9, '0')}` : undefined;
}

/** A writable that splits text into lines. */
class LineSink extends Writable {
  private partial = '';
  private readonly decoder = new StringDecoder('utf8');

  constructor(private readonly onLine: (line: string) => void) {
    super({ decodeStrings: false });
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.onLine(line);
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.partial += this.decoder.end();
    callback();
  }

  /** Returns the text after the last newline, which the stream ended without finishing. */
  takeRemainder(): string {
    const rest = this.partial;
    this.partial = '';
    return rest;
  }
}
