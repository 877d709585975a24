// Reproducible archives and their SHA-256: equal sources give equal bytes, read back by the
// local cluster's kaniko emulation and by tar(1).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { ContextReadError, digestContext, packContext, type ArchiveOptions } from '../../../tasks/KanikoBuildV1/src/context/archive';
import { listContextEntries, type ContextEntry } from '../../../tasks/KanikoBuildV1/src/context/files';
import { unpackContextArchive } from '../../../tools/local-cluster/kubelet/executor/archive';
import { useTempDir, writeTree } from './support/temp-dir';

const FIXED_TIME = new Date('2000-01-01T00:00:00Z');

async function pack(entries: ContextEntry[], options: ArchiveOptions = {}): Promise<{ archive: Buffer; sha256: string }> {
  const packed = packContext(entries, options);
  const chunks: Buffer[] = [];
  for await (const chunk of packed.stream) chunks.push(chunk as Buffer);
  const { sha256 } = await packed.done;
  return { archive: Buffer.concat(chunks), sha256 };
}

async function entryTimes(archive: Buffer): Promise<Map<string, number>> {
  const extract = tar.extract();
  extract.end(gunzipSync(archive));
  const times = new Map<string, number>();
  for await (const entry of extract) {
    times.set(entry.header.name, entry.header.mtime?.getTime() ?? NaN);
    entry.resume();
  }
  return times;
}

/** Writes the same sources into `folder`, with a 3 MiB file that is read in pieces. */
function writeSources(folder: string): void {
  writeTree(folder, {
    'Dockerfile': 'FROM alpine\nCOPY . /app\n',
    'app/main.py': 'print("hello")\n',
    'app/data/table.csv': 'a,b\n1,2\n',
  });
  fs.writeFileSync(path.join(folder, 'app/model.bin'), Buffer.alloc(3 * 1024 * 1024 + 5, 'weights'));
  fs.symlinkSync('main.py', path.join(folder, 'app/entry.py'));
}

describe('context: reproducible archives', () => {
  const root = useTempDir();
  const first = (): string => path.join(root(), 'first');
  const second = (): string => path.join(root(), 'second');

  beforeEach(() => {
    writeSources(first());
    writeSources(second());
    const old = new Date('2021-06-01T12:00:00Z');
    for (const entry of fs.readdirSync(second(), { recursive: true }) as string[]) {
      fs.lutimesSync(path.join(second(), entry), old, old);
    }
  });

  it('equal sources give equal bytes', async () => {
    const one = await pack(await listContextEntries(first(), 'Dockerfile'), { mtime: FIXED_TIME });
    const two = await pack(await listContextEntries(second(), 'Dockerfile'), { mtime: FIXED_TIME });

    assert.ok(one.archive.equals(two.archive));
    assert.equal(one.sha256, two.sha256);
  });

  it('every entry gets the fixed time', async () => {
    const times = await entryTimes((await pack(await listContextEntries(second(), 'Dockerfile'), { mtime: FIXED_TIME })).archive);

    assert.ok(times.size >= 6);
    for (const [name, time] of times) assert.equal(time, FIXED_TIME.getTime(), name);
  });

  it('without a fixed time files keep theirs', async () => {
    const times = await entryTimes((await pack(await listContextEntries(second(), 'Dockerfile'))).archive);

    assert.equal(times.get('app/main.py'), new Date('2021-06-01T12:00:00Z').getTime());
  });

  it('a changed file changes the SHA-256', async () => {
    const before = await digestContext(await listContextEntries(first(), 'Dockerfile'), { mtime: FIXED_TIME });
    fs.writeFileSync(path.join(first(), 'app/main.py'), 'print("hello!")\n');
    const after = await digestContext(await listContextEntries(first(), 'Dockerfile'), { mtime: FIXED_TIME });

    assert.notEqual(after.sha256, before.sha256);
  });

  it('digest matches the packed tar', async () => {
    const entries = await listContextEntries(first(), 'Dockerfile');
    const digest = await digestContext(entries, { mtime: FIXED_TIME });
    const { archive, sha256 } = await pack(entries, { mtime: FIXED_TIME });

    assert.equal(digest.sha256, sha256);
    assert.equal(sha256, createHash('sha256').update(gunzipSync(archive)).digest('hex'));
    assert.equal(digest.files, 4);
    assert.equal(digest.contentBytes, fs.statSync(path.join(first(), 'app/model.bin')).size + 24 + 15 + 8);
  });

  it('kaniko emulation unpacks the members', async () => {
    const { archive } = await pack(await listContextEntries(first(), 'Dockerfile'), { mtime: FIXED_TIME });
    const tree = await unpackContextArchive(archive);

    assert.deepEqual(tree.get('app/main.py'), { type: 'file', content: Buffer.from('print("hello")\n') });
    assert.deepEqual(tree.get('app/entry.py'), { type: 'symlink', target: 'main.py' });
    const model = tree.get('app/model.bin');
    assert.equal(model?.type, 'file');
    assert.ok(model.content.equals(fs.readFileSync(path.join(first(), 'app/model.bin'))), 'app/model.bin differs');
  });

  it('tar -xz extracts the archive', async () => {
    const { archive } = await pack(await listContextEntries(first(), 'Dockerfile'), { mtime: FIXED_TIME });
    const target = path.join(root(), 'extracted');
    fs.mkdirSync(target);
    const extracted = spawnSync('tar', ['-xzf', '-', '-C', target], { input: archive });

    assert.equal(extracted.status, 0, extracted.stderr.toString());
    assert.ok(fs.readFileSync(path.join(target, 'app/model.bin')).equals(fs.readFileSync(path.join(first(), 'app/model.bin'))));
    assert.equal(fs.readlinkSync(path.join(target, 'app/entry.py')), 'main.py');
    assert.equal(fs.statSync(path.join(target, 'Dockerfile')).mtime.getTime(), FIXED_TIME.getTime());
  });

  it('file that changes size fails the read', async () => {
    // /proc files report size 0 but have content, as a file that grew after it was measured.
    const entries: ContextEntry[] = [{ name: 'status', type: 'file', source: '/proc/self/status' }];

    await assert.rejects(digestContext(entries), (error: unknown) => {
      assert.ok(error instanceof ContextReadError);
      assert.equal(error.message, '/proc/self/status changed size while the task packed it. Make sure no earlier step still writes to it, and run the build again');
      return true;
    });
  });

  it('unreadable file fails with its path', async () => {
    const entries: ContextEntry[] = [{ name: 'gone.txt', type: 'file', source: path.join(root(), 'gone.txt') }];
    const packed = packContext(entries);
    packed.stream.resume();

    await assert.rejects(packed.done, (error: unknown) => {
      assert.ok(error instanceof ContextReadError);
      assert.match(error.message, /^ENOENT: no such file or directory, open '.*gone\.txt'$/);
      return true;
    });
  });
});
