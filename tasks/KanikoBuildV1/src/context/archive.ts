// Packs context entries into a gzip-compressed tar stream, the format kaniko requires, and
// computes the SHA-256 of the uncompressed tar, by which the uploaded archive is named.
import { createHash, type Hash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { pipeline } from 'node:stream/promises';
import { PassThrough, Transform, Writable, type Readable } from 'node:stream';
import * as tar from 'tar-stream';
import type { ContextEntry } from './files';
import { parallelGzip } from './parallel-gzip';
import { writeEntries, type ArchiveStats } from './tar-entries';

export { ContextReadError, type ArchiveStats } from './tar-entries';

/** gzip's default level, which `tar -z` and pigz also use. */
export const GZIP_LEVEL = 6;
/** Input bytes per gzip member; a larger member compresses a little better, a smaller one spreads better over the cores. */
const MEMBER_SIZE = 1024 * 1024;

export interface ArchiveOptions {
  /**
   * Modification time written for every entry, so that equal sources give an equal archive;
   * each file's own time when unset.
   */
  mtime?: Date;
  /** gzip members compressed at a time; one more than the cores by default, so no core waits for the next piece. */
  parallel?: number;
}

export interface ContextArchive {
  /** The gzip tar bytes. A stream can be read only once, so a second upload needs a new archive. */
  stream: Readable;
  /** Resolves when every entry was written, rejects when a file could not be read. */
  done: Promise<PackedArchive>;
}

export interface PackedArchive extends ArchiveStats {
  /** SHA-256 of the uncompressed tar, in hex. */
  sha256: string;
}

/** Starts packing `entries` in order. Ownership is set to root, as kaniko applies it inside the image. */
export function packContext(entries: ContextEntry[], options: ArchiveOptions = {}): ContextArchive {
  const pack = tar.pack();
  const hash = createHash('sha256');
  const output = new PassThrough();
  const gzip = parallelGzip({ level: GZIP_LEVEL, memberSize: MEMBER_SIZE, parallel: options.parallel ?? availableParallelism() + 1 });
  const compressed = pipeline(pack, hashing(hash), gzip, output);
  const done = writeEntries(pack, entries, options.mtime).then(async (stats) => {
    await compressed;
    return { ...stats, sha256: hash.digest('hex') };
  }, (error: unknown) => {
    pack.destroy(error as Error);
    output.destroy(error as Error);
    throw error;
  });
  // The caller observes failures through `done` and the stream; this keeps Node from
  // reporting an unhandled rejection when the consumer stopped early.
  compressed.catch(() => undefined);
  return { stream: output, done };
}

/**
 * Returns what packContext would give for `entries`, without compressing: the SHA-256 of the
 * tar and its statistics. Reading the files costs far less than compressing them.
 */
export async function digestContext(entries: ContextEntry[], options: ArchiveOptions = {}): Promise<PackedArchive> {
  const pack = tar.pack();
  const hash = createHash('sha256');
  const consumed = pipeline(pack, hashing(hash), new Writable({ write: (_chunk, _encoding, callback) => callback() }));
  try {
    const stats = await writeEntries(pack, entries, options.mtime);
    await consumed;
    return { ...stats, sha256: hash.digest('hex') };
  } catch (error) {
    pack.destroy(error as Error);
    await consumed.catch(() => undefined);
    throw error;
  }
}

function hashing(hash: Hash): Transform {
  return new Transform({
    transform: (chunk: Buffer, _encoding, callback) => {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
}
