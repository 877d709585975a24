// encodeHeader: its own ustar encoding gives the bytes node-tar's Header gives, and entries that
// do not fit ustar get node-tar's prefix split or pax record, which tar(1) reads back.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { Header } from 'tar/header';
import { BLOCK, encodeHeader, type HeaderFields } from '../../../tasks/KanikoBuildV1/src/context/tar-header';

const TIME = new Date('2000-01-01T00:00:00Z');

/** Returns the block node-tar writes for the same entry, owned by root. */
function nodeTarBlock(fields: HeaderFields): Buffer {
  const block = Buffer.alloc(BLOCK);
  new Header({
    path: fields.name, type: fields.kind, mode: fields.mode, uid: 0, gid: 0, uname: '', gname: '',
    size: fields.size, mtime: fields.mtime, linkpath: fields.linkname,
  }).encode(block, 0);
  return block;
}

/** Encodes into a block full of leftover bytes, as the packer's reused block is. */
function encode(fields: HeaderFields): { block: Buffer; pax?: Buffer } {
  const block = Buffer.alloc(BLOCK, 0xa5);
  const pax = encodeHeader(block, fields);
  return { block, pax };
}

/** Lists a tar with GNU tar's verbose listing: mode, owner, size, time and name. */
function listTar(archive: Buffer): string {
  const listed = spawnSync('tar', ['-tvf', '-', '--numeric-owner', '--utc'], { input: archive });
  assert.equal(listed.status, 0, listed.stderr.toString());
  return listed.stdout.toString();
}

describe('context: tar headers', () => {
  const ustarCases: [string, HeaderFields][] = [
    ['a file', { name: 'app/main.py', kind: 'File', mode: 0o644, size: 15, mtime: TIME }],
    ['an empty file', { name: 'empty.txt', kind: 'File', mode: 0o600, size: 0, mtime: TIME }],
    ['an executable with setuid', { name: 'bin/run', kind: 'File', mode: 0o4755, size: 1, mtime: TIME }],
    ['a folder', { name: 'src', kind: 'Directory', mode: 0o755, size: 0, mtime: TIME }],
    ['a symbolic link', { name: 'link.py', kind: 'SymbolicLink', mode: 0o777, size: 0, mtime: TIME, linkname: '../app/main.py' }],
    ['a 99-byte name', { name: 'n'.repeat(99), kind: 'File', mode: 0o644, size: 3, mtime: TIME }],
    ['the largest 11-digit size', { name: 'big.bin', kind: 'File', mode: 0o644, size: 0o77777777777, mtime: TIME }],
    ['a 10-digit size', { name: 'mid.bin', kind: 'File', mode: 0o644, size: 0o7777777777, mtime: TIME }],
    ['a file time with milliseconds', { name: 'now.txt', kind: 'File', mode: 0o644, size: 9, mtime: new Date(1764922661789) }],
    ['the epoch', { name: 'old.txt', kind: 'File', mode: 0o644, size: 9, mtime: new Date(0) }],
  ];
  for (const [title, fields] of ustarCases) {
    it(`${title} gets node-tar's bytes`, () => {
      const { block, pax } = encode(fields);

      assert.equal(pax, undefined);
      assert.equal(block.toString('hex'), nodeTarBlock(fields).toString('hex'));
    });
  }

  it('tar(1) reads the ustar fields', () => {
    const file: HeaderFields = { name: 'app/main.py', kind: 'File', mode: 0o755, size: 0, mtime: TIME };

    assert.equal(listTar(Buffer.concat([encode(file).block, Buffer.alloc(2 * BLOCK)])).trim(), '-rwxr-xr-x 0/0               0 2000-01-01 00:00 app/main.py');
  });

  const paxCases: [string, HeaderFields, string][] = [
    ['a non-ASCII name', { name: 'src/ünïcode.txt', kind: 'File', mode: 0o644, size: 0, mtime: TIME }, 'src/ünïcode.txt'],
    ['a name of 300 bytes', { name: `deep/${'d'.repeat(290)}.txt`, kind: 'File', mode: 0o644, size: 0, mtime: TIME }, `deep/${'d'.repeat(290)}.txt`],
    ['a link target of 120 bytes', { name: 'long-link', kind: 'SymbolicLink', mode: 0o777, size: 0, mtime: TIME, linkname: 't'.repeat(120) }, `long-link -> ${'t'.repeat(120)}`],
  ];
  for (const [title, fields, listed] of paxCases) {
    it(`${title} gets a pax record that tar(1) reads`, () => {
      const { block, pax } = encode(fields);

      assert.ok(pax, 'no pax header');
      assert.ok(listTar(Buffer.concat([pax, block, Buffer.alloc(2 * BLOCK)])).trim().endsWith(listed));
    });
  }

  it('a 100-byte name fills the name field', () => {
    const name = 'n'.repeat(100);
    const { block, pax } = encode({ name, kind: 'File', mode: 0o644, size: 0, mtime: TIME });

    assert.equal(pax, undefined);
    assert.equal(block.subarray(0, 100).toString('latin1'), name);
    assert.equal(listTar(Buffer.concat([block, Buffer.alloc(2 * BLOCK)])).trim().split(' ').at(-1), name);
  });

  it('a 185-byte name uses the prefix field', () => {
    const name = `${'p'.repeat(120)}/${'n'.repeat(60)}.txt`;
    const { block, pax } = encode({ name, kind: 'File', mode: 0o644, size: 0, mtime: TIME });

    assert.equal(pax, undefined);
    assert.ok(listTar(Buffer.concat([block, Buffer.alloc(2 * BLOCK)])).trim().endsWith(name));
  });
});
