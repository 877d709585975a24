// Compresses a stream on several cores: the input is cut into pieces of a fixed size, each piece
// becomes a gzip member of its own, compressed on libuv's thread pool, and the members are sent
// in input order. A gzip file may hold several members that decompress to their concatenation
// (RFC 1952 section 2.2). gunzip reads them all, and so does Go's compress/gzip, which kaniko
// uses to read the build context: its Reader is in multistream mode by default.
import { Transform, type TransformCallback } from 'node:stream';
import { gzip, type ZlibOptions } from 'node:zlib';

export interface ParallelGzipOptions {
  /** zlib compression level, 1 to 9; 6 is gzip's default. */
  level: number;
  /** Input bytes per gzip member. Cut points depend only on the input, so equal input gives equal output. */
  memberSize: number;
  /** Members compressed at a time. */
  parallel: number;
}

/** Returns a transform that gzips its input as independent members, `options.parallel` at a time. */
export function parallelGzip(options: ParallelGzipOptions): Transform {
  return new ParallelGzip(options);
}

class ParallelGzip extends Transform {
  private readonly options: ParallelGzipOptions;
  private readonly zlibOptions: ZlibOptions;
  private piece: Buffer;
  private pieceBytes = 0;
  /** Members being compressed, oldest first. */
  private readonly pending: Promise<Buffer>[] = [];
  /**
   * Pieces whose compression finished, for reuse: allocating a new one for every member would
   * leave garbage that V8 collects only after tens of megabytes, which shows as resident memory.
   */
  private readonly spare: Buffer[] = [];
  private started = false;

  constructor(options: ParallelGzipOptions) {
    super();
    this.options = options;
    // Output buffers of half a piece let zlib compress most pieces in one or two thread-pool jobs.
    this.zlibOptions = { level: options.level, chunkSize: Math.max(64 * 1024, options.memberSize / 2) };
    this.piece = this.newPiece();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.appendInput(chunk);
    this.pushCompressed(this.options.parallel - 1).then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    // Empty input still gives one member, so that the output is a valid gzip file.
    if (this.pieceBytes > 0 || !this.started) this.compressPiece();
    this.pushCompressed(0).then(() => callback(), callback);
  }

  /** Copies `chunk` into the current piece, starting a member each time a piece fills. */
  private appendInput(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const copied = chunk.copy(this.piece, this.pieceBytes, offset);
      offset += copied;
      this.pieceBytes += copied;
      if (this.pieceBytes === this.options.memberSize) this.compressPiece();
    }
  }

  private compressPiece(): void {
    this.started = true;
    const input = this.piece.subarray(0, this.pieceBytes);
    const piece = this.piece;
    const member = new Promise<Buffer>((resolve, reject) => {
      gzip(input, this.zlibOptions, (error, output) => {
        this.spare.push(piece);
        if (error) reject(error);
        else resolve(output);
      });
    });
    // The failure is taken up when this member's turn comes, or lost with the destroyed stream.
    // This handler keeps Node from reporting an unhandled rejection before then.
    member.catch(() => undefined);
    this.pending.push(member);
    this.piece = this.newPiece();
    this.pieceBytes = 0;
  }

  private newPiece(): Buffer {
    return this.spare.pop() ?? Buffer.allocUnsafe(this.options.memberSize);
  }

  /** Sends finished members in order until at most `keep` are still being compressed. */
  private async pushCompressed(keep: number): Promise<void> {
    while (this.pending.length > keep) {
      const member = await this.pending[0]!;
      this.pending.shift();
      this.push(member);
    }
  }
}
