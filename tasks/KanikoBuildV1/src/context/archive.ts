// Packs context entries into a gzip-compressed tar stream, the format kaniko requires, and
// computes the SHA-256 of the uncompressed tar, by which the uploaded archive is named.
import { createHash, type Hash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import type { ContextEntry } from './files';
import { ParallelGzip } from './parallel-gzip';
import { PieceWriter, type PieceSink } from './pieces';
import { writeTar, type ArchiveStats } from './tar-writer';

export { ContextReadError, type ArchiveStats } from './tar-writer';

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
  /** gzip members compressed or queued at a time; twice the number that can run at once by default. */
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

/**
 * Returns how many members can be compressed at once: one per core, but at most one per thread
 * of libuv's pool, which has UV_THREADPOOL_SIZE threads, 4 by default (Node.js documentation,
 * "UV_THREADPOOL_SIZE"). Twice as many members are handed over, so that the threads have the
 * next ones queued while the main thread reads files and cannot take their results.
 */
function compressionThreads(): number {
  return Math.min(availableParallelism(), Number(process.env.UV_THREADPOOL_SIZE) || 4);
}

/** Starts packing `entries` in order. */
export function packContext(entries: ContextEntry[], options: ArchiveOptions = {}): ContextArchive {
  const hash = createHash('sha256');
  const gzip = new ParallelGzip({ level: GZIP_LEVEL, memberSize: MEMBER_SIZE, parallel: options.parallel ?? 2 * compressionThreads() });
  const done = writeTar(new PieceWriter(hashing(hash, gzip)), entries, options.mtime).then((stats) => ({ ...stats, sha256: hash.digest('hex') }), (error: unknown) => {
    gzip.output.destroy(error as Error);
    throw error;
  });
  return { stream: gzip.output, done };
}

/**
 * Returns what packContext would give for `entries`, without compressing: the SHA-256 of the
 * tar and its statistics. Reading the files costs far less than compressing them.
 */
export async function digestContext(entries: ContextEntry[], options: ArchiveOptions = {}): Promise<PackedArchive> {
  const hash = createHash('sha256');
  const piece = Buffer.allocUnsafe(MEMBER_SIZE);
  const stats = await writeTar(new PieceWriter(hashing(hash, { nextPiece: () => piece, take: () => undefined, end: () => undefined })), entries, options.mtime);
  return { ...stats, sha256: hash.digest('hex') };
}

/** Passes the pieces on to `sink`, adding each to `hash` first. */
function hashing(hash: Hash, sink: PieceSink): PieceSink {
  return {
    nextPiece: () => sink.nextPiece(),
    take: (piece, length) => {
      hash.update(piece.subarray(0, length));
      return sink.take(piece, length);
    },
    end: () => sink.end(),
  };
}
