// Attaching to a running container, as the kubelet (pkg/kubelet/kubelet_pods.go GetAttach and
// the remotecommand option parsing) and containerd (internal/cri/io/container_io.go,
// ContainerIO.Attach) do it:
// - The client's stdin reaches the container only when the container has `stdin: true`.
//   Otherwise it is dropped without an error.
// - When the client's stdin ends, a `stdinOnce` container (without `tty`) gets EOF. Other
//   containers keep their stdin open, and the session's output streams end instead.
// - Output streams last until the container exits or the client goes away. A session with
//   neither a stdin copy nor an output stream ends at once.
import type { AttachSession, ContainerAttachRequest } from '../contract';
import type { ContainerStdin } from './stdin';

type OutputStream = 'stdout' | 'stderr';

/** A started container that attach sessions can reach until it exits. */
export class AttachableContainer {
  private readonly lineReceivers = new Set<(line: string) => void>();
  private readonly exitListeners = new Set<() => void>();
  private exited = false;

  constructor(
    readonly name: string,
    /** The stdin pipe, for a container with `stdin: true`. */
    readonly stdin: ContainerStdin | undefined,
    readonly tty: boolean,
  ) {}

  get isRunning(): boolean {
    return !this.exited;
  }

  /** Passes one line of the container's output to the attached sessions. */
  emitLine(line: string): void {
    for (const receive of [...this.lineReceivers]) receive(line);
  }

  /** Marks the container as exited: its stdin closes and every session's output ends. */
  exit(): void {
    if (this.exited) return;
    this.exited = true;
    this.stdin?.close();
    for (const listener of [...this.exitListeners]) listener();
  }

  /** Starts a session; `request.stderr` is already false when the client requested a TTY. */
  attach(request: ContainerAttachRequest): AttachSession {
    return new ContainerAttachSession(this, request);
  }

  /** Subscribes to output lines and the exit; returns the function that unsubscribes. */
  subscribe(receive: (line: string) => void, onExit: () => void): () => void {
    this.lineReceivers.add(receive);
    this.exitListeners.add(onExit);
    return () => {
      this.lineReceivers.delete(receive);
      this.exitListeners.delete(onExit);
    };
  }
}

class ContainerAttachSession implements AttachSession {
  readonly finished: Promise<void>;
  private copyingStdin: boolean;
  private readonly outputs = new Set<OutputStream>();
  private receive?: (stream: OutputStream, data: Buffer) => void;
  private unsubscribe?: () => void;
  private resolveFinished!: () => void;

  constructor(private readonly container: AttachableContainer, request: ContainerAttachRequest) {
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    this.copyingStdin = request.stdin && container.stdin !== undefined;
    if (request.stdout) this.outputs.add('stdout');
    // containerd attaches no stderr to a TTY container: the terminal carries everything on stdout.
    if (request.stderr && !container.tty) this.outputs.add('stderr');
    if (this.outputs.size > 0) {
      if (container.isRunning) this.unsubscribe = container.subscribe((line) => this.deliver(line), () => this.endOutputs());
      else this.endOutputs();
    }
    this.settle();
  }

  onOutput(receive: (stream: OutputStream, data: Buffer) => void): void {
    this.receive = receive;
  }

  writeStdin(data: Buffer): void {
    if (!this.copyingStdin) return;
    // A write to a closed pipe fails, and the failed write ends the copy.
    if (!this.container.stdin?.write(data)) this.endStdinCopy();
  }

  endStdin(): void {
    this.endStdinCopy();
  }

  cancel(): void {
    this.endOutputs();
    this.endStdinCopy();
  }

  /**
   * NOTE: the emulated programs write one stream of lines, and the messages of kaniko and curl
   * go to stderr, so every line is sent as stderr. kaniko's RUN output goes to stdout on a real node.
   */
  private deliver(line: string): void {
    if (this.outputs.has('stderr')) this.receive?.('stderr', Buffer.from(`${line}\n`));
  }

  private endStdinCopy(): void {
    if (!this.copyingStdin) return;
    this.copyingStdin = false;
    const stdin = this.container.stdin;
    if (stdin?.once && !this.container.tty) stdin.close();
    else this.endOutputs();
    this.settle();
  }

  private endOutputs(): void {
    if (this.outputs.size === 0 && !this.unsubscribe) return;
    this.outputs.clear();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    // containerd closes the session's stdin wrapper when an output stream ends, which ends the copy.
    this.endStdinCopy();
    this.settle();
  }

  private settle(): void {
    if (!this.copyingStdin && this.outputs.size === 0) this.resolveFinished();
  }
}
