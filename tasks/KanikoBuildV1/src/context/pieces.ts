// Fills fixed-size buffers ("pieces") in order and hands each full one to a sink. The archive is
// written straight into the pieces, header by header and file by file, so that packing makes no
// buffer or stream object per file.

/** Receives the pieces. */
export interface PieceSink {
  /** Returns the buffer to fill next. The writer owns it until it hands it back with `take`. */
  nextPiece(): Buffer;
  /** Takes a piece of which the first `length` bytes are filled; the writer waits for the returned promise before it goes on. */
  take(piece: Buffer, length: number): Promise<void> | void;
  /** Called once, after the last piece. */
  end(): Promise<void> | void;
}

/** Writes bytes into the sink's pieces; a piece goes to the sink when it is full, and the last one at `end`. */
export class PieceWriter {
  private readonly sink: PieceSink;
  private piece: Buffer;
  private used = 0;

  constructor(sink: PieceSink) {
    this.sink = sink;
    this.piece = sink.nextPiece();
  }

  /** The free part of the current piece; it always has room for at least one byte. */
  get space(): Buffer {
    return this.piece.subarray(this.used);
  }

  /**
   * Marks `length` bytes of `space` as filled. Returns a promise when that filled the piece and
   * the sink asks the writer to wait, so that a caller in a tight loop awaits only then.
   */
  advance(length: number): Promise<void> | undefined {
    this.used += length;
    if (this.used < this.piece.length) return undefined;
    const taken = this.sink.take(this.piece, this.used);
    this.piece = this.sink.nextPiece();
    this.used = 0;
    return taken ?? undefined;
  }

  /** Copies `bytes` in. */
  async write(bytes: Buffer): Promise<void> {
    for (let offset = 0; offset < bytes.length;) {
      const copied = bytes.copy(this.piece, this.used, offset);
      offset += copied;
      await this.advance(copied);
    }
  }

  /** Writes `length` zero bytes. */
  async zeros(length: number): Promise<void> {
    for (let left = length; left > 0;) {
      const filled = Math.min(left, this.piece.length - this.used);
      this.piece.fill(0, this.used, this.used + filled);
      left -= filled;
      await this.advance(filled);
    }
  }

  /** Hands over the last, partly filled piece, if any, and ends the sink. */
  async end(): Promise<void> {
    if (this.used > 0) await this.sink.take(this.piece, this.used);
    this.used = 0;
    await this.sink.end();
  }
}
