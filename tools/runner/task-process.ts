// Runs the task's Node.js process the way the agent's process invoker does: standard input
// closed, both output streams read line by line, and on cancel or timeout SIGINT, then SIGTERM,
// then SIGKILL (ProcessInvoker.cs in microsoft/azure-pipelines-agent).
import { spawn, type ChildProcess } from 'node:child_process';
import { LineSplitter } from './line-splitter';
import type { CancelOptions, SignalTimeouts } from './types';

export const AGENT_SIGNAL_TIMEOUTS: SignalTimeouts = { sigintTimeoutMs: 7_500, sigtermTimeoutMs: 2_500 };

// After the process exits the agent waits this long for its output streams to close, and
// after `task.complete done=true` this long for the process to exit.
const STREAM_DRAIN_MS = 5_000;
const DONE_GRACE_MS = 5_000;

export interface ProcessOptions {
  nodePath: string;
  script: string;
  cwd: string;
  env: Record<string, string>;
  timeoutMs?: number;
  cancel?: CancelOptions;
  signalTimeouts: SignalTimeouts;
  /** Receives each output line. Returns true when the line asked the agent to finish the task (`done=true`). */
  onLine: (line: string, stream: 'stdout' | 'stderr') => boolean;
}

export interface ProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  rawStdout: string;
  stderr: string;
  signalsSent: NodeJS.Signals[];
  canceled: boolean;
  timedOut: boolean;
  /** True when the task asked to be done and had not exited 5 s later; the runner then killed it. */
  forceCompleted: boolean;
}

/** Starts the process and resolves when it has ended and its output is read. */
export function runTaskProcess(options: ProcessOptions): Promise<ProcessOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.nodePath, [options.script], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin?.end();
    const run = new ProcessRun(child, options, resolve);
    child.once('error', (error) => {
      run.dispose();
      reject(new Error(`Cannot start ${options.nodePath} ${options.script}: ${error.message}`, { cause: error }));
    });
  });
}

class ProcessRun {
  private readonly outcome: ProcessOutcome = {
    exitCode: null, signal: null, rawStdout: '', stderr: '', signalsSent: [],
    canceled: false, timedOut: false, forceCompleted: false,
  };
  private readonly timers: NodeJS.Timeout[] = [];
  private cancelStarted = false;
  private finished = false;
  private exited = false;

  constructor(
    private readonly child: ChildProcess,
    private readonly options: ProcessOptions,
    private readonly resolve: (outcome: ProcessOutcome) => void,
  ) {
    this.readStream('stdout');
    this.readStream('stderr');
    this.watchForCancel();
    child.once('exit', (code, signal) => {
      this.exited = true;
      this.outcome.exitCode = code;
      this.outcome.signal = signal;
      this.timers.push(setTimeout(() => this.finish(), STREAM_DRAIN_MS));
    });
    child.once('close', () => this.finish());
  }

  private readStream(stream: 'stdout' | 'stderr'): void {
    const source = this.child[stream];
    if (!source) return;
    source.setEncoding('utf8');
    const splitter = new LineSplitter((line) => this.handleLine(line, stream));
    source.on('data', (chunk: string) => {
      if (stream === 'stdout') this.outcome.rawStdout += chunk;
      else this.outcome.stderr += chunk;
      splitter.push(chunk);
    });
    source.once('end', () => splitter.end());
  }

  private handleLine(line: string, stream: 'stdout' | 'stderr'): void {
    // The agent drops output that arrives after it forced the task to complete.
    if (this.outcome.forceCompleted) return;
    const doneRequested = this.options.onLine(line, stream);
    if (doneRequested) this.timers.push(setTimeout(() => this.forceComplete(), DONE_GRACE_MS));
    const whenLine = this.options.cancel?.whenLine;
    if (whenLine && (typeof whenLine === 'function' ? whenLine(line) : whenLine.test(line))) {
      this.startCancel('cancel');
    }
  }

  private watchForCancel(): void {
    const { cancel, timeoutMs } = this.options;
    if (cancel?.afterMs !== undefined) {
      this.timers.push(setTimeout(() => this.startCancel('cancel'), cancel.afterMs));
    }
    if (timeoutMs !== undefined) {
      this.timers.push(setTimeout(() => this.startCancel('timeout'), timeoutMs));
    }
    if (cancel?.signal) {
      if (cancel.signal.aborted) this.startCancel('cancel');
      else cancel.signal.addEventListener('abort', () => this.startCancel('cancel'), { once: true });
    }
  }

  private startCancel(reason: 'cancel' | 'timeout'): void {
    if (this.cancelStarted || this.exited) return;
    this.cancelStarted = true;
    if (reason === 'timeout') this.outcome.timedOut = true;
    else this.outcome.canceled = true;
    const { sigintTimeoutMs, sigtermTimeoutMs } = this.options.signalTimeouts;
    this.sendSignal('SIGINT');
    this.timers.push(setTimeout(() => this.sendSignal('SIGTERM'), sigintTimeoutMs));
    this.timers.push(setTimeout(() => this.sendSignal('SIGKILL'), sigintTimeoutMs + sigtermTimeoutMs));
  }

  private sendSignal(signal: NodeJS.Signals): void {
    if (this.exited) return;
    this.outcome.signalsSent.push(signal);
    this.child.kill(signal);
  }

  // NOTE: the agent stops waiting and moves on without killing the process. The runner kills
  // it so that no process outlives the test.
  private forceComplete(): void {
    if (this.exited) return;
    this.outcome.forceCompleted = true;
    this.sendSignal('SIGKILL');
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.dispose();
    this.resolve(this.outcome);
  }

  /** Stops every timer and stops reading, so nothing keeps the test process alive. */
  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
  }
}
