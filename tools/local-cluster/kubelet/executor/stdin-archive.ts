// Reads a gzip-compressed tar build context from the container's stdin, the way kaniko's
// `tar://stdin` context does (osscontainertools/kaniko pkg/buildcontext/tar.go and
// pkg/util/fs_util.go UnTar). Go's gzip.NewReader reads the 10-byte header first, so data that
// is not gzip fails as soon as those bytes arrive. UnTar stops at the tar end-of-archive
// marker, so kaniko goes on without waiting for the stream to close.
import { createGunzip } from 'node:zlib';
import { translateGunzipError } from './archive';

/** The container's stdin pipe as the executor reads it. */
export interface StdinSource {
  /** Returns the next data, or null at EOF. */
  read(signal: AbortSignal): Promise<Buffer | null>;
}

const GZIP_HEADER_BYTES = 10;
const BLOCK = 512;

/** Returns the decompressed tar data; throws with the message of Go's gzip or tar reader. */
export async function readStdinArchive(stdin: StdinSource, signal: AbortSignal): Promise<Buffer> {
  const head: Buffer[] = [];
  let headBytes = 0;
  while (headBytes < GZIP_HEADER_BYTES) {
    const chunk = await stdin.read(signal);
    if (chunk === null) throw new Error(headBytes === 0 ? 'EOF' : 'unexpected EOF');
    head.push(chunk);
    headBytes += chunk.length;
  }
  const start = Buffer.concat(head);
  if (start[0] !== 0x1f || start[1] !== 0x8b || start[2] !== 8) throw new Error('gzip: invalid header');
  return inflateUntilArchiveEnd(start, stdin, signal);
}

/** Decompresses stdin until the tar end-of-archive marker or EOF. */
async function inflateUntilArchiveEnd(start: Buffer, stdin: StdinSource, signal: AbortSignal): Promise<Buffer> {
  const gunzip = createGunzip();
  const scanner = new TarEndScanner();
  const output: Buffer[] = [];
  let failure: Error | undefined;
  gunzip.on('data', (chunk: Buffer) => {
    output.push(chunk);
    scanner.push(chunk);
  });
  gunzip.on('error', (error) => (failure ??= translateGunzipError(error)));
  const ended = new Promise<void>((resolve) => {
    gunzip.once('end', resolve);
    gunzip.once('close', resolve);
  });
  try {
    // zlib emits a chunk's output before it calls the chunk's write callback.
    for (let chunk: Buffer | null = start; chunk !== null; chunk = await stdin.read(signal)) {
      await new Promise<void>((resolve) => gunzip.write(chunk, () => resolve()));
      if (failure) throw failure;
      if (scanner.complete) return Buffer.concat(output);
    }
    gunzip.end();
    await ended;
    if (failure) throw failure;
    return Buffer.concat(output);
  } finally {
    gunzip.destroy();
  }
}

/** Follows tar headers through decompressed data to find the two zero blocks that end an archive. */
class TarEndScanner {
  complete = false;
  private pending = Buffer.alloc(0);
  /** Bytes of entry content and padding still to pass over. */
  private skip = 0;
  private zeroBlocks = 0;

  push(chunk: Buffer): void {
    let data = Buffer.concat([this.pending, chunk]);
    while (!this.complete) {
      if (this.skip > 0) {
        const passed = Math.min(this.skip, data.length);
        data = data.subarray(passed);
        this.skip -= passed;
        if (this.skip > 0) break;
        continue;
      }
      if (data.length < BLOCK) break;
      const block = data.subarray(0, BLOCK);
      data = data.subarray(BLOCK);
      if (block.every((byte) => byte === 0)) {
        this.zeroBlocks += 1;
        this.complete = this.zeroBlocks === 2;
        continue;
      }
      this.zeroBlocks = 0;
      this.skip = Math.ceil(entrySize(block) / BLOCK) * BLOCK;
    }
    this.pending = Buffer.from(data);
  }
}

/** Reads a header's size field: octal text, or base-256 when the first byte's high bit is set. */
function entrySize(header: Buffer): number {
  const field = header.subarray(124, 136);
  if ((field[0] & 0x80) !== 0) {
    let size = 0;
    for (const [index, byte] of field.entries()) size = size * 256 + (index === 0 ? byte & 0x7f : byte);
    return size;
  }
  const text = field.toString('latin1').replace(/[\0 ]+$/, '').trim();
  return text === '' ? 0 : parseInt(text, 8) || 0;
}
