// Encodes the tar headers of a context's entries. Most entries have a short ASCII name and fit a
// plain ustar header, which this module writes itself without the strings and objects that
// node-tar makes per header. For a name of up to 99 bytes the block is byte for byte the one that
// node-tar's Header writes.
// Every other entry (a long or non-ASCII name or link target, a size or time beyond the octal
// fields) goes through node-tar's Header and Pax, which split long names or add a pax record.
import { Header } from 'tar/header';
import { Pax } from 'tar/pax';

/** The size of a tar block: a header, and the unit that file contents are padded to. */
export const BLOCK = 512;

export type EntryKind = 'File' | 'Directory' | 'SymbolicLink';

export interface HeaderFields {
  name: string;
  kind: EntryKind;
  /** Permission bits. */
  mode: number;
  size: number;
  mtime: Date;
  /** Target of a symbolic link. */
  linkname?: string;
}

/** The largest value of a 12-byte octal field: 11 digits and a NUL. */
const MAX_OCTAL_12 = 0o77777777777;
const TYPE_FLAGS: Record<EntryKind, number> = { File: 0x30, Directory: 0x35, SymbolicLink: 0x32 };
const USTAR_MAGIC = Buffer.from('ustar\u000000', 'latin1');

/**
 * Writes the header of an entry owned by root: one ustar block into `block`, and returns the
 * pax header that must come before it, or undefined when the entry needs none.
 */
export function encodeHeader(block: Buffer, fields: HeaderFields): Buffer | undefined {
  block.fill(0, 0, BLOCK);
  if (fitsUstar(fields)) {
    encodeUstar(block, fields);
    return undefined;
  }
  const data = {
    path: fields.name, type: fields.kind, mode: fields.mode, uid: 0, gid: 0, uname: '', gname: '',
    size: fields.size, mtime: fields.mtime, linkpath: fields.linkname,
  };
  if (!new Header(data).encode(block, 0)) return undefined;
  return new Pax({ path: data.path, linkpath: data.linkpath, size: data.size }).encode();
}

/**
 * Returns whether the entry fits a plain ustar header with an empty prefix. node-tar would move
 * a name of exactly 100 bytes into the prefix field, as `./name` for a name with no folder, but
 * the name field can take 100 bytes without a terminating NUL, as POSIX allows.
 */
function fitsUstar(fields: HeaderFields): boolean {
  const seconds = fields.mtime.getTime() / 1000;
  return fields.name.length <= 100 && isAscii(fields.name)
    && (fields.linkname === undefined || (fields.linkname.length <= 100 && isAscii(fields.linkname)))
    && fields.size <= MAX_OCTAL_12 && seconds >= 0 && seconds <= MAX_OCTAL_12;
}

/** Returns whether every character of `text` is ASCII, so that its UTF-8 bytes are its characters. */
function isAscii(text: string): boolean {
  return Buffer.byteLength(text) === text.length;
}

/** Writes a ustar header with an empty prefix into the zeroed `block`, owned by root. */
function encodeUstar(block: Buffer, fields: HeaderFields): void {
  block.write(fields.name, 0, 100, 'latin1');
  writeOctal(block, 100, 8, fields.mode);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, fields.size);
  writeOctal(block, 136, 12, Math.floor(fields.mtime.getTime() / 1000));
  block[156] = TYPE_FLAGS[fields.kind];
  if (fields.linkname) block.write(fields.linkname, 157, 100, 'latin1');
  USTAR_MAGIC.copy(block, 257);
  // Device numbers, as node-tar writes them for every entry.
  writeOctal(block, 329, 8, 0);
  writeOctal(block, 337, 8, 0);
  let sum = 8 * 0x20;
  for (let index = 0; index < 148; index += 1) sum += block[index]!;
  for (let index = 156; index < BLOCK; index += 1) sum += block[index]!;
  writeOctal(block, 148, 8, sum);
}

/**
 * Writes `value` in octal into a field of `width` bytes as node-tar does: all digits and a NUL
 * when the number takes width - 1 digits, otherwise zero-padded to width - 2 digits, a space and a NUL.
 */
function writeOctal(block: Buffer, offset: number, width: number, value: number): void {
  let digits = 1;
  for (let rest = Math.floor(value / 8); rest > 0; rest = Math.floor(rest / 8)) digits += 1;
  const end = digits === width - 1 ? offset + width - 1 : offset + width - 2;
  if (end === offset + width - 2) block[end] = 0x20;
  block[offset + width - 1] = 0;
  let rest = value;
  for (let index = end - 1; index >= offset; index -= 1) {
    block[index] = 0x30 + (rest % 8);
    rest = Math.floor(rest / 8);
  }
}
