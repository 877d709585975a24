// packContext: the gzip tar that kaniko unpacks, read back with node:zlib and tar-stream.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { packContext } from '../../../tasks/KanikoBuildV1/src/context/archive';
import { listContextEntries, type ContextEntry } from '../../../tasks/KanikoBuildV1/src/context/files';
import { useTempDir, writeTree } from './support/temp-dir';

interface ArchivedEntry {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  linkname?: string | null;
  content: Buffer;
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Gunzips and untars `archive`, returning every entry with its contents. */
async function unpack(archive: Buffer): Promise<ArchivedEntry[]> {
  const extract = tar.extract();
  extract.end(gunzipSync(archive));
  const entries: ArchivedEntry[] = [];
  for await (const entry of extract) {
    const { name, type, mode, uid, gid, linkname } = entry.header;
    entries.push({ name, type, mode, uid, gid, linkname, content: await readAll(entry) });
  }
  return entries;
}

async function packEntries(entries: ContextEntry[]): Promise<{ archive: Buffer; files: number; contentBytes: number }> {
  const packed = packContext(entries);
  const [archive, stats] = await Promise.all([readAll(packed.stream), packed.done]);
  return { archive, ...stats };
}

const LONG_NAME = `${'deep-folder-name/'.repeat(8)}file-with-a-long-name.txt`;

describe('context: packContext', () => {
  const root = useTempDir();

  beforeEach(() => {
    writeTree(root(), {
      'Dockerfile': 'FROM alpine\nCOPY . /app\n',
      '.dockerignore': '*.log\n',
      'app.py': 'print("hello")\n',
      'debug.log': 'left out\n',
      'src/ünïcode name.txt': 'non-ASCII name\n',
      [LONG_NAME]: 'long path\n',
    });
    fs.writeFileSync(path.join(root(), 'run.sh'), '#!/bin/sh\necho run\n', { mode: 0o755 });
    fs.chmodSync(path.join(root(), 'run.sh'), 0o755);
    fs.writeFileSync(path.join(root(), 'big.bin'), Buffer.alloc(3 * 1024 * 1024 + 17, 7));
    fs.mkdirSync(path.join(root(), 'empty'));
    fs.symlinkSync('app.py', path.join(root(), 'link.py'));
  });

  it('archive holds exactly the listed entries', async () => {
    const entries = await listContextEntries(root(), 'Dockerfile');
    const { archive } = await packEntries(entries);
    const archived = await unpack(archive);

    assert.deepEqual(archived.map((entry) => entry.name), entries.map((entry) => entry.name));
    assert.deepEqual(archived.map((entry) => entry.type), entries.map((entry) => entry.type));
    assert.ok(!archived.some((entry) => entry.name === 'debug.log'));
  });

  it('file contents and modes survive', async () => {
    const entries = await listContextEntries(root(), 'Dockerfile');
    const archived = await unpack((await packEntries(entries)).archive);

    for (const entry of entries.filter((candidate) => candidate.type === 'file')) {
      const copy = archived.find((candidate) => candidate.name === entry.name);
      assert.ok(copy, `${entry.name} is missing`);
      assert.ok(copy.content.equals(fs.readFileSync(entry.source)), `${entry.name} differs`);
      assert.equal(copy.mode, fs.statSync(entry.source).mode & 0o7777, `${entry.name} mode`);
    }
    assert.equal(archived.find((entry) => entry.name === 'run.sh')?.mode, 0o755);
    assert.ok(archived.some((entry) => entry.name === LONG_NAME), 'the long path is missing');
    assert.ok(archived.some((entry) => entry.name === 'src/ünïcode name.txt'), 'the non-ASCII name is missing');
  });

  it('symlinks and folders stay as they are', async () => {
    const archived = await unpack((await packEntries(await listContextEntries(root(), 'Dockerfile'))).archive);
    const link = archived.find((entry) => entry.name === 'link.py');
    const empty = archived.find((entry) => entry.name === 'empty');

    assert.equal(link?.type, 'symlink');
    assert.equal(link?.linkname, 'app.py');
    assert.equal(link?.content.length, 0);
    assert.equal(empty?.type, 'directory');
  });

  it('every entry is owned by root', async () => {
    const archived = await unpack((await packEntries(await listContextEntries(root(), 'Dockerfile'))).archive);

    for (const entry of archived) {
      assert.equal(entry.uid, 0, `${entry.name} uid`);
      assert.equal(entry.gid, 0, `${entry.name} gid`);
    }
  });

  it('stats count files and bytes', async () => {
    const entries = await listContextEntries(root(), 'Dockerfile');
    const { files, contentBytes } = await packEntries(entries);
    const fileEntries = entries.filter((entry) => entry.type === 'file');

    assert.equal(files, fileEntries.length);
    assert.equal(contentBytes, fileEntries.reduce((sum, entry) => sum + fs.statSync(entry.source).size, 0));
  });

  it('archive is gzip', async () => {
    const { archive } = await packEntries(await listContextEntries(root(), 'Dockerfile'));

    assert.equal(archive.subarray(0, 2).toString('hex'), '1f8b');
  });

  it('empty entry list gives an empty archive', async () => {
    const { archive, files } = await packEntries([]);

    assert.equal(files, 0);
    assert.deepEqual(await unpack(archive), []);
  });

  it('missing file rejects done', async () => {
    const entries = await listContextEntries(root(), 'Dockerfile');
    fs.rmSync(path.join(root(), 'app.py'));
    const packed = packContext(entries);
    const reading = readAll(packed.stream);

    await assert.rejects(packed.done, /ENOENT/);
    await assert.rejects(reading);
  });
});
