// Packs context entries into a gzip-compressed tar stream, the format kaniko requires.
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { PassThrough, type Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import * as tar from 'tar-stream';
import type { ContextEntry } from './files';

type EntryHeader = Parameters<tar.Pack['entry']>[0];

export interface ArchiveStats {
  files: number;
  /** Bytes of file contents before compression. */
  contentBytes: number;
}

export interface ContextArchive {
  /** The gzip tar bytes. A stream can be read only once, so a second upload needs a new archive. */
  stream: Readable;
  /** Resolves when every entry was written, rejects when a file could not be read. */
  done: Promise<ArchiveStats>;
}

/** Starts packing `entries` in order. Ownership is set to root, as kaniko applies it inside the image. */
export function packContext(entries: ContextEntry[]): ContextArchive {
  const pack = tar.pack();
  const output = new PassThrough();
  const gzipped = pipeline(pack, createGzip(), output);
  const done = writeEntries(pack, entries).then(async (stats) => {
    await gzipped;
    return stats;
  }, (error: unknown) => {
    pack.destroy(error as Error);
    output.destroy(error as Error);
    throw error;
  });
  // The caller observes failures through `done` and the stream; this keeps Node from
  // reporting an unhandled rejection when the consumer stopped early.
  gzipped.catch(() => undefined);
  return { stream: output, done };
}

async function writeEntries(pack: tar.Pack, entries: ContextEntry[]): Promise<ArchiveStats> {
  const stats: ArchiveStats = { files: 0, contentBytes: 0 };
  for (const entry of entries) {
    const info = await fsp.lstat(entry.source);
    const header: EntryHeader = { name: entry.name, mode: info.mode & 0o7777, mtime: info.mtime, uid: 0, gid: 0 };
    if (entry.type === 'directory') {
      await addEntry(pack, { ...header, type: 'directory' });
    } else if (entry.type === 'symlink') {
      await addEntry(pack, { ...header, type: 'symlink', linkname: await fsp.readlink(entry.source) });
    } else {
      await addFile(pack, { ...header, type: 'file', size: info.size }, entry.source);
      stats.files += 1;
      stats.contentBytes += info.size;
    }
  }
  pack.finalize();
  return stats;
}

function addEntry(pack: tar.Pack, header: EntryHeader): Promise<void> {
  return new Promise((resolve, reject) => pack.entry(header, (error) => (error ? reject(error) : resolve())));
}

/** Streams one file into the archive; tar-stream fails the entry when the file changed size meanwhile. */
async function addFile(pack: tar.Pack, header: EntryHeader, source: string): Promise<void> {
  await pipeline(fs.createReadStream(source), pack.entry(header));
}
