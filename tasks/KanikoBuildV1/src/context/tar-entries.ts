// Writes context entries into a tar-stream pack. Files are read with synchronous calls: the
// compression jobs fill libuv's thread pool, and an asynchronous read would wait behind them.
import * as fs from 'node:fs';
import type * as tar from 'tar-stream';
import { loc } from '../messages';
import type { ContextEntry } from './files';

type EntryHeader = Parameters<tar.Pack['entry']>[0];

export interface ArchiveStats {
  files: number;
  /** Bytes of file contents before compression. */
  contentBytes: number;
}

/** A file of the build context that could not be read, or that changed while it was packed. */
export class ContextReadError extends Error {}

/** Files up to this size are read whole; larger ones in pieces of this size. */
const READ_SIZE = 1024 * 1024;

/** Writes every entry in order and finalizes the pack; `mtime` replaces each entry's own time when set. */
export async function writeEntries(pack: tar.Pack, entries: ContextEntry[], mtime?: Date): Promise<ArchiveStats> {
  const stats: ArchiveStats = { files: 0, contentBytes: 0 };
  for (const entry of entries) {
    if (entry.type === 'file') {
      stats.contentBytes += await addFile(pack, entry, mtime);
      stats.files += 1;
      continue;
    }
    const info = readFile(() => fs.lstatSync(entry.source));
    const header = entryHeader(entry, info, mtime);
    if (entry.type === 'directory') {
      await addEntry(pack, { ...header, type: 'directory' });
    } else {
      await addEntry(pack, { ...header, type: 'symlink', linkname: readFile(() => fs.readlinkSync(entry.source)) });
    }
  }
  pack.finalize();
  return stats;
}

function entryHeader(entry: ContextEntry, info: fs.Stats, mtime?: Date): EntryHeader {
  return { name: entry.name, mode: info.mode & 0o7777, mtime: mtime ?? info.mtime, uid: 0, gid: 0 };
}

function addEntry(pack: tar.Pack, header: EntryHeader, content?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const callback = (error?: Error | null): void => (error ? reject(error) : resolve());
    if (content) pack.entry(header, content, callback);
    else pack.entry(header, callback);
  });
}

/** Adds one file and returns its size; fails when the file changed size while it was read. */
async function addFile(pack: tar.Pack, entry: ContextEntry, mtime?: Date): Promise<number> {
  const fd = readFile(() => fs.openSync(entry.source, 'r'));
  try {
    const info = fs.fstatSync(fd);
    const { size } = info;
    const header = entryHeader(entry, info, mtime);
    if (size <= READ_SIZE) {
      const content = readExactly(fd, size, entry);
      await addEntry(pack, { ...header, type: 'file', size }, content);
    } else {
      await streamFile(pack, { ...header, type: 'file', size }, fd, entry);
    }
    return size;
  } finally {
    fs.closeSync(fd);
  }
}

async function streamFile(pack: tar.Pack, header: EntryHeader, fd: number, entry: ContextEntry): Promise<void> {
  const size = header.size ?? 0;
  let sink: ReturnType<tar.Pack['entry']> | undefined;
  // tar-stream calls back once the entry is closed: with an error when it failed or was destroyed.
  const finished = new Promise<void>((resolve, reject) => {
    sink = pack.entry(header, (error) => (error ? reject(error) : resolve()));
  });
  for (let offset = 0; offset < size; offset += READ_SIZE) {
    const piece = readExactly(fd, Math.min(READ_SIZE, size - offset), entry, offset + READ_SIZE >= size);
    if (!sink!.write(piece)) await Promise.race([new Promise((resolve) => sink!.once('drain', () => resolve(undefined))), finished]);
  }
  sink!.end(undefined);
  await finished;
}

/**
 * Reads `length` bytes from the file's current position. With `last`, also checks that the
 * file ends there, so that a file that grew or shrank while it was packed fails the run.
 */
function readExactly(fd: number, length: number, entry: ContextEntry, last = true): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let read = 0;
  while (read < length) {
    const bytes = readFile(() => fs.readSync(fd, buffer, read, length - read, null));
    if (bytes === 0) break;
    read += bytes;
  }
  if (read < length || (last && readFile(() => fs.readSync(fd, Buffer.allocUnsafe(1), 0, 1, null)) > 0)) {
    throw new ContextReadError(loc('ContextFileChanged', entry.source));
  }
  return buffer;
}

/** Runs a file system call, turning its error into a ContextReadError with the system's message, which names the path. */
function readFile<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw new ContextReadError((error as Error).message, { cause: error });
  }
}
