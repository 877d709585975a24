// Unpacks a gzip-compressed tar build context in memory, as kaniko's UnpackCompressedTar
// does on disk (osscontainertools/kaniko pkg/util/tar_util.go and fs_util.go ExtractFile).
// Errors carry the Go messages kaniko prints, such as `gzip: invalid header`.
import { posix } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { extract, type Header } from 'tar-stream';
import { goQuote } from './log';

export type ContextEntry =
  | { type: 'file'; content: Buffer }
  | { type: 'symlink'; target: string }
  | { type: 'directory' };

/** Unpacked build context: cleaned relative paths (`app/main.py`) to their entries. */
export type ContextTree = Map<string, ContextEntry>;

/** Cleans a path lexically as Go's filepath.Clean does, so `a/./b/../c/` becomes `a/c`. */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const normalized = posix.normalize(path);
  return normalized.length > 1 ? normalized.replace(/\/$/, '') : normalized;
}

function escapesRoot(cleaned: string): boolean {
  return cleaned === '..' || cleaned.startsWith('../');
}

/** Decompresses gzip data, failing with the message of Go's compress/gzip reader. */
export function gunzipContext(data: Buffer): Buffer {
  if (data.length === 0) throw new Error('EOF');
  if (data.length < 10) throw new Error('unexpected EOF');
  if (data[0] !== 0x1f || data[1] !== 0x8b || data[2] !== 8) throw new Error('gzip: invalid header');
  try {
    return gunzipSync(data);
  } catch (error) {
    throw translateGunzipError(error as Error);
  }
}

/** Returns the error of Go's compress/gzip reader for an error of Node's zlib. */
export function translateGunzipError(error: Error): Error {
  const message = error.message;
  if (message.includes('unexpected end of file')) return new Error('unexpected EOF', { cause: error });
  if (message.includes('incorrect data check')) return new Error('gzip: invalid checksum', { cause: error });
  if (message.includes('incorrect header check')) return new Error('gzip: invalid header', { cause: error });
  // NOTE: Go names the byte offset of the corrupt deflate data; zlib does not report it.
  return new Error('flate: corrupt input', { cause: error });
}

/**
 * Reads the tar entries of a decompressed context. Entries whose cleaned path leaves the
 * root are rejected with kaniko v1.28's message. Absolute paths are rejected too.
 * NOTE: kaniko itself unpacks an absolute entry below the context directory. The emulation
 * rejects it so that a test notices an archive that relies on that.
 */
export async function readTar(data: Buffer): Promise<ContextTree> {
  const tree: ContextTree = new Map();
  const extractor = extract();
  extractor.end(data);
  try {
    for await (const entry of extractor) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      addEntry(tree, entry.header, Buffer.concat(chunks));
    }
  } catch (error) {
    throw translateTarError(error as Error);
  }
  return tree;
}

function translateTarError(error: Error): Error {
  if (error.message.startsWith('Invalid tar header')) {
    return new Error('archive/tar: invalid tar header', { cause: error });
  }
  if (error.message.startsWith('Unexpected end of data')) return new Error('unexpected EOF', { cause: error });
  return error;
}

function addEntry(tree: ContextTree, header: Header, content: Buffer): void {
  const cleaned = cleanPath(header.name);
  if (cleaned === '.') return;
  if (escapesRoot(cleaned)) {
    throw new Error(`tar entry ${goQuote(header.name)} is not allowed: references parent directory`);
  }
  if (cleaned.startsWith('/')) {
    throw new Error(`tar entry ${goQuote(header.name)} is not allowed: absolute path`);
  }
  switch (header.type) {
    case 'file':
    case 'contiguous-file':
      tree.set(cleaned, { type: 'file', content });
      return;
    case 'directory':
      tree.set(cleaned, { type: 'directory' });
      return;
    case 'symlink':
      tree.set(cleaned, { type: 'symlink', target: header.linkname ?? '' });
      return;
    case 'link':
      tree.set(cleaned, { type: 'file', content: hardLinkContent(tree, header.linkname ?? '', cleaned) });
      return;
    default:
      // Devices and FIFOs carry no build input; kaniko creates them but nothing copies them.
      return;
  }
}

function hardLinkContent(tree: ContextTree, linkname: string, linkPath: string): Buffer {
  const target = cleanPath(linkname);
  if (escapesRoot(target)) {
    throw new Error(`hardlink target ${goQuote(linkname)} is not allowed: references parent directory`);
  }
  const relative = target.replace(/^\/+/, '');
  const entry = tree.get(relative);
  if (entry?.type !== 'file') {
    const root = '/kaniko/buildcontext';
    throw new Error(`link ${root}/${relative} ${root}/${linkPath}: no such file or directory`);
  }
  return entry.content;
}

/** Unpacks gzip-compressed tar data into a tree; throws with kaniko's message when invalid. */
export async function unpackContextArchive(data: Buffer): Promise<ContextTree> {
  return readTar(gunzipContext(data));
}

/** Lists the regular files and symlinks of a tree, sorted, as PodRunRecord.contextFiles. */
export function listContextFiles(tree: ContextTree): string[] {
  return [...tree.entries()]
    .filter(([, entry]) => entry.type !== 'directory')
    .map(([path]) => path)
    .sort();
}
