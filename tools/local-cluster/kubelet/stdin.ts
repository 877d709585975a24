// A container's standard input for `stdin: true`: the pipe that the container runtime keeps
// open for attach sessions to write into. The container reads it until the pipe is closed,
// which happens when an attach session ends its stdin on a `stdinOnce` container (containerd
// internal/cri/io/container_io.go, ContainerIO.Attach) or when the container exits.
// NOTE: the pipe queues everything in memory. A Linux pipe buffers 64 KiB (pipe(7)), so on a
// real node a writer waits while the container does not read.

export class ContainerStdin {
  private readonly chunks: Buffer[] = [];
  private closed = false;
  private wake?: () => void;

  /** `once` is the container's `stdinOnce`: the first attach session that ends its stdin closes the pipe. */
  constructor(readonly once: boolean) {}

  /** Whether the pipe still accepts data. */
  get isOpen(): boolean {
    return !this.closed;
  }

  /** Queues data for the container to read; returns false when the pipe is closed, as a write to it fails. */
  write(chunk: Buffer): boolean {
    if (this.closed) return false;
    if (chunk.length > 0) this.chunks.push(chunk);
    this.notify();
    return true;
  }

  /** Closes the pipe; the container reads the queued data, then EOF. */
  close(): void {
    this.closed = true;
    this.notify();
  }

  /** Returns the next queued data, or null at EOF, for the container's one reader; rejects with the signal's reason when it aborts. */
  async read(signal: AbortSignal): Promise<Buffer | null> {
    while (this.chunks.length === 0 && !this.closed) {
      signal.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        this.wake = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
      });
    }
    return this.chunks.shift() ?? null;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
