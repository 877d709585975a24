// Fills fixed-size buffers ("pieces") in order and hands each full one to a sink. The archive is
// written straight into the pieces, header by header and file by file, so that packing makes no
// buffer or stream object per file.

/** The receiver of the filled pieces. */
export interface PieceSink {
  /** Returns the buffer to fill next. The writer owns it until it hands it back with `take`. */
  nextPiece(): Buffer;
  /** Takes a piece of which the first `length` bytes are filled. The writer waits for the returned promise before it goes on. */
  take(piece: Buffer, length: number): Promise<void> | void;
  /** Ends the sink. The writer calls it once, after the last piece. */
  end(): Promise<void> | void;
}

/**
 * Writes bytes into the sink's pieces; a piece goes to the sink when it is full, and the last one
 * at `end`. The writing methods return a promise only when the sink makes the writer wait, so
 * that a caller that writes many small entries awaits only then.
 */
export class PieceWriter {
  private readonly sink: PieceSink;
  private piece: Buffer;
  private used = 0;

  constructor(sink: PieceSink) {
    this.sink = sink;
    this.piece = sink.nextPiece();
  }

  /** The current piece. A caller may fill it from `offset` on, `room` bytes at most, and then call `advance`. */
  get buffer(): Buffer {
    return this.piece;
  }

  /** The number of filled bytes at the start of the current piece. */
  get offset(): number {
    return this.used;
  }

  /** The number of free bytes in the current piece, at least one. */
  get room(): number {
    return this.piece.length - this.used;
  }

  /** Marks `length` bytes after `offset` as filled. */
  advance(length: number): Promise<void> | undefined {
    this.used += length;
    if (this.used < this.piece.length) return undefined;
    const pending = this.sink.take(this.piece, this.used);
    this.piece = this.sink.nextPiece();
    this.used = 0;
    return pending ?? undefined;
  }

  /** Copies `bytes` in, from `start` on. */
  write(bytes: Buffer, start = 0): Promise<void> | undefined {
    for (let offset = start; offset < bytes.length;) {
      const copied = bytes.copy(this.piece, this.used, offset);
      offset += copied;
      const pending = this.advance(copied);
      if (pending) return pending.then(() => this.write(bytes, offset));
    }
    return undefined;
  }

  /** Writes `length` zero bytes. */
  zeros(length: number): Promise<void> | undefined {
    for (let left = length; left > 0;) {
      const filled = Math.min(left, this.room);
      this.piece.fill(0, this.used, this.used + filled);
      left -= filled;
      const pending = this.advance(filled);
      if (pending) return pending.then(() => this.zeros(left));
    }
    return undefined;
  }

  /** Hands over the last, partly filled piece, if any, and ends the sink. */
  async end(): Promise<void> {
    if (this.used > 0) await this.sink.take(this.piece, this.used);
    this.used = 0;
    await this.sink.end();
  }
}
