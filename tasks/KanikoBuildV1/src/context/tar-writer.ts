// Writes context entries as a POSIX tar (ustar headers, with pax records for long or non-ASCII
// names) into a PieceWriter. File contents are read straight into the pieces. Files are read
// with synchronous calls: the compression jobs fill libuv's thread pool, and an asynchronous
// read would wait behind them.
import * as fs from 'node:fs';
import { loc } from '../messages';
import type { ContextEntry } from './files';
import type { PieceWriter } from './pieces';
import { BLOCK, encodeHeader, type EntryKind, type HeaderFields } from './tar-header';

export interface ArchiveStats {
  files: number;
  /** Bytes of file contents before compression. */
  contentBytes: number;
}

/** A file of the build context that could not be read, or that changed while it was packed. */
export class ContextReadError extends Error {}

/**
 * Writes every entry in order, then the two zero blocks that end a tar. `mtime` replaces each
 * entry's own time when set. Ownership is set to root, as kaniko applies it inside the image.
 */
export async function writeTar(out: PieceWriter, entries: ContextEntry[], mtime?: Date): Promise<ArchiveStats> {
  const writer = new TarWriter(out, mtime);
  const stats: ArchiveStats = { files: 0, contentBytes: 0 };
  for (const entry of entries) {
    if (entry.type === 'file') {
      stats.contentBytes += await writer.file(entry);
      stats.files += 1;
    } else {
      await writer.other(entry);
    }
  }
  await out.zeros(2 * BLOCK);
  await out.end();
  return stats;
}

class TarWriter {
  private readonly out: PieceWriter;
  private readonly mtime?: Date;
  /** One header block and one set of header fields, reused for every entry. */
  private readonly block = Buffer.alloc(BLOCK);
  private readonly fields: HeaderFields = { name: '', kind: 'File', mode: 0, size: 0, mtime: new Date(0) };

  constructor(out: PieceWriter, mtime?: Date) {
    this.out = out;
    this.mtime = mtime;
  }

  /** Writes a directory or a symbolic link. */
  async other(entry: ContextEntry): Promise<void> {
    const info = fileCall(() => fs.lstatSync(entry.source));
    const linkname = entry.type === 'symlink' ? fileCall(() => fs.readlinkSync(entry.source)) : undefined;
    await this.header(entry, info, entry.type === 'directory' ? 'Directory' : 'SymbolicLink', 0, linkname);
  }

  /** Writes one file and returns its size; fails when the file changed size while it was read. */
  async file(entry: ContextEntry): Promise<number> {
    const fd = openFile(entry.source);
    try {
      const info = fs.fstatSync(fd);
      const { size } = info;
      await this.header(entry, info, 'File', size);
      let position = 0;
      // When the piece has room, each read requests one byte more than is left, so that a short
      // read proves the end of the file without a further call.
      let endSeen = false;
      while (position < size) {
        const requested = Math.min(this.out.room, size - position + 1);
        const read = readAt(fd, this.out.buffer, this.out.offset, requested, position, entry);
        if (read === 0 || position + read > size) throw new ContextReadError(loc('ContextFileChanged', entry.source));
        endSeen = read < requested;
        position += read;
        const pending = this.out.advance(read);
        if (pending) await pending;
      }
      if (!endSeen && readAt(fd, this.block, 0, 1, size, entry) > 0) throw new ContextReadError(loc('ContextFileChanged', entry.source));
      const pending = this.out.zeros(padding(size));
      if (pending) await pending;
      return size;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Writes a header block, preceded by a pax header when a name or the size does not fit the ustar fields. */
  private async header(entry: ContextEntry, info: fs.Stats, kind: EntryKind, size: number, linkname?: string): Promise<void> {
    const { fields } = this;
    fields.name = entry.name;
    fields.kind = kind;
    fields.mode = info.mode & 0o7777;
    fields.size = size;
    fields.mtime = this.mtime ?? info.mtime;
    fields.linkname = linkname;
    const pax = encodeHeader(this.block, fields);
    if (pax) await this.out.write(pax);
    const pending = this.out.write(this.block);
    if (pending) await pending;
  }
}

/** Returns the number of zero bytes that fill `size` bytes of content up to the next 512-byte block. */
function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** Runs a file system call, turning its error into a ContextReadError with the system's message, which names the path. */
function fileCall<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw readError(error);
  }
}

/** Opens a file for reading, as fileCall would, without a closure for every file. */
function openFile(source: string): number {
  try {
    return fs.openSync(source, 'r');
  } catch (error) {
    throw readError(error);
  }
}

/** Reads at `position`, as fileCall would. Node.js names no path in the message of a failed read, so this adds it. */
function readAt(fd: number, buffer: Buffer, offset: number, length: number, position: number, entry: ContextEntry): number {
  try {
    return fs.readSync(fd, buffer, offset, length, position);
  } catch (error) {
    throw readError(error, ` '${entry.source}'`);
  }
}

function readError(error: unknown, suffix = ''): ContextReadError {
  return new ContextReadError(`${(error as Error).message}${suffix}`, { cause: error });
}
