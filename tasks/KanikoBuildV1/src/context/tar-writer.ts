// Writes context entries as a POSIX tar (ustar headers, with pax records for long or non-ASCII
// names) into a PieceWriter. File contents are read straight into the pieces. Files are read
// with synchronous calls: the compression jobs fill libuv's thread pool, and an asynchronous
// read would wait behind them.
import * as fs from 'node:fs';
import { loc } from '../messages';
import type { ContextEntry } from './files';
import type { PieceWriter } from './pieces';
import { BLOCK, encodeHeader, type HeaderFields } from './tar-header';

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
  /** One header block, reused for every entry. */
  private readonly block = Buffer.alloc(BLOCK);

  constructor(out: PieceWriter, mtime?: Date) {
    this.out = out;
    this.mtime = mtime;
  }

  /** Writes a directory or a symbolic link. */
  async other(entry: ContextEntry): Promise<void> {
    const info = readFile(() => fs.lstatSync(entry.source));
    if (entry.type === 'directory') {
      await this.header({ ...this.fields(entry, info), kind: 'Directory', size: 0 });
    } else {
      const linkname = readFile(() => fs.readlinkSync(entry.source));
      await this.header({ ...this.fields(entry, info), kind: 'SymbolicLink', size: 0, linkname });
    }
  }

  /** Writes one file and returns its size; fails when the file changed size while it was read. */
  async file(entry: ContextEntry): Promise<number> {
    const fd = readFile(() => fs.openSync(entry.source, 'r'));
    try {
      const info = fs.fstatSync(fd);
      const { size } = info;
      await this.header({ ...this.fields(entry, info), kind: 'File', size });
      await this.content(fd, size, entry);
      await this.out.zeros(padding(size));
      return size;
    } finally {
      fs.closeSync(fd);
    }
  }

  private fields(entry: ContextEntry, info: fs.Stats): Pick<HeaderFields, 'name' | 'mode' | 'mtime'> {
    return { name: entry.name, mode: info.mode & 0o7777, mtime: this.mtime ?? info.mtime };
  }

  /** Writes a header block, preceded by a pax header when a name or the size does not fit the ustar fields. */
  private async header(fields: HeaderFields): Promise<void> {
    const pax = encodeHeader(this.block, fields);
    if (pax) await this.out.write(pax);
    await this.out.write(this.block);
  }

  /**
   * Reads `size` bytes of the file into the pieces, and checks that the file ends there. When the
   * piece has room, each read asks for one byte more than is left, so that a short read proves
   * the end of the file without a further call.
   */
  private async content(fd: number, size: number, entry: ContextEntry): Promise<void> {
    let position = 0;
    let endSeen = false;
    while (position < size) {
      const space = this.out.space;
      const wanted = Math.min(space.length, size - position + 1);
      const read = readFile(() => fs.readSync(fd, space, 0, wanted, position));
      if (read === 0 || position + read > size) throw new ContextReadError(loc('ContextFileChanged', entry.source));
      endSeen = read < wanted;
      position += read;
      const full = this.out.advance(read);
      if (full) await full;
    }
    if (!endSeen && readFile(() => fs.readSync(fd, this.block, 0, 1, size)) > 0) {
      throw new ContextReadError(loc('ContextFileChanged', entry.source));
    }
  }
}

/** Zero bytes after `size` bytes of content, up to the next 512-byte block. */
function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** Runs a file system call, turning its error into a ContextReadError with the system's message, which names the path. */
function readFile<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw new ContextReadError((error as Error).message, { cause: error });
  }
}
