// Compresses on several cores: every piece of the input becomes a gzip member of its own,
// compressed on libuv's thread pool, and the members are sent in input order. A gzip file may
// hold several members that decompress to their concatenation (RFC 1952 section 2.2). gunzip
// reads them all, and so does Go's compress/gzip, which kaniko uses to read the build context:
// its Reader is in multistream mode by default.
import { Readable } from 'node:stream';
import { gzip, type ZlibOptions } from 'node:zlib';
import type { PieceSink } from './pieces';

export interface ParallelGzipOptions {
  /** zlib compression level, 1 to 9; 6 is gzip's default. */
  level: number;
  /** Input bytes per gzip member. Cut points depend only on the input, so equal input gives equal output. */
  memberSize: number;
  /** Members compressed at a time. */
  parallel: number;
}

/**
 * A PieceSink whose `output` gives the compressed bytes. `take` returns a promise that waits
 * while `parallel` members are being compressed or the reader of `output` is behind, so memory
 * stays bounded by the pieces in flight.
 */
export class ParallelGzip implements PieceSink {
  readonly output: MemberStream;
  private readonly options: ParallelGzipOptions;
  private readonly zlibOptions: ZlibOptions;
  /** Members being compressed, oldest first. */
  private readonly pending: Promise<Buffer>[] = [];
  /**
   * Pieces whose compression finished, for reuse: allocating a new one for every member would
   * leave garbage that V8 collects only after tens of megabytes, which shows as resident memory.
   */
  private readonly spare: Buffer[] = [];
  private started = false;

  constructor(options: ParallelGzipOptions) {
    this.options = options;
    this.output = new MemberStream();
    // Output buffers of half a piece let zlib compress most pieces in one or two thread-pool jobs.
    this.zlibOptions = { level: options.level, chunkSize: Math.max(64 * 1024, options.memberSize / 2) };
  }

  nextPiece(): Buffer {
    return this.spare.pop() ?? Buffer.allocUnsafe(this.options.memberSize);
  }

  async take(piece: Buffer, length: number): Promise<void> {
    this.started = true;
    const member = new Promise<Buffer>((resolve, reject) => {
      gzip(piece.subarray(0, length), this.zlibOptions, (error, output) => {
        this.spare.push(piece);
        if (error) reject(error);
        else resolve(output);
      });
    });
    // The failure is taken up when this member's turn comes. This handler keeps Node from
    // reporting an unhandled rejection before then.
    member.catch(() => undefined);
    this.pending.push(member);
    await this.sendCompressed(this.options.parallel - 1);
  }

  /** Sends the remaining members and ends `output`. Empty input still gives one member, so that the output is a valid gzip file. */
  async end(): Promise<void> {
    if (!this.started) await this.take(this.nextPiece(), 0);
    await this.sendCompressed(0);
    this.output.push(null);
  }

  /** Sends finished members in order until at most `keep` are still being compressed. */
  private async sendCompressed(keep: number): Promise<void> {
    while (this.pending.length > keep) {
      const member = await this.pending[0]!;
      this.pending.shift();
      await this.output.send(member);
    }
  }
}

/** The stream of compressed bytes. `send` waits while the reader is behind, and fails once the stream is destroyed. */
class MemberStream extends Readable {
  private waiting?: { resolve: () => void; reject: (error: Error) => void };

  constructor() {
    super();
    // The writer learns of a destroyed stream from `send`, and the packer's caller from its own
    // promise, so an error that no reader listens for must not end the process.
    this.on('error', () => undefined);
  }

  async send(member: Buffer): Promise<void> {
    if (this.destroyed) throw this.errored ?? new Error('The archive stream was closed before the archive was complete.');
    if (this.push(member)) return;
    await new Promise<void>((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  override _read(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(error ?? new Error('The archive stream was closed before the archive was complete.'));
    callback(error);
  }
}
