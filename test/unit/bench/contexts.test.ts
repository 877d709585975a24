// The benchmark's generated contexts: the same seed gives the same files, in the sizes asked for.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateContext, type ContextName } from '../../../tools/bench/contexts';
import { useTempDir } from '../task/support/temp-dir';

const SCALE = 0.001;
const DOCKERFILE_BYTES = Buffer.byteLength('FROM alpine:3.20\nCOPY . /app\n');

/** Returns `path sha256` of every file below `root`, sorted by path. */
function fingerprint(root: string): string[] {
  return fs.readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      return `${path.relative(root, file)} ${createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`;
    })
    .sort();
}

function sizeOf(root: string, pattern: RegExp): { bytes: number; compressed: number } {
  let bytes = 0;
  let compressed = 0;
  for (const line of fingerprint(root)) {
    const name = line.split(' ')[0];
    if (!pattern.test(name)) continue;
    const content = fs.readFileSync(path.join(root, name));
    bytes += content.length;
    compressed += gzipSync(content, { level: 6 }).length;
  }
  return { bytes, compressed };
}

describe('bench: generated contexts', () => {
  const root = useTempDir();

  for (const name of ['small-files', 'large-compressible', 'mixed-500mb'] as ContextName[]) {
    it(`${name} is the same for the same seed`, async () => {
      const first = await generateContext(name, path.join(root(), 'first'), { seed: 7, scale: SCALE });
      const second = await generateContext(name, path.join(root(), 'second'), { seed: 7, scale: SCALE });
      const other = await generateContext(name, path.join(root(), 'other'), { seed: 8, scale: SCALE });

      assert.deepEqual(fingerprint(second.dir), fingerprint(first.dir));
      assert.notDeepEqual(fingerprint(other.dir), fingerprint(first.dir));
      assert.equal(first.files, fingerprint(first.dir).length);
      const bytes = fingerprint(first.dir).reduce((sum, line) => sum + fs.statSync(path.join(first.dir, line.split(' ')[0])).size, 0);
      assert.equal(first.bytes, bytes);
    });
  }

  it('small-files has 30 000 files at full scale', async () => {
    const context = await generateContext('small-files', root(), { seed: 1, scale: SCALE });

    assert.equal(context.files, 30 + 1);
    for (const line of fingerprint(context.dir).filter((entry) => entry.startsWith('src/'))) {
      const size = fs.statSync(path.join(context.dir, line.split(' ')[0])).size;
      assert.ok(size >= 200, `${line} has ${size} bytes`);
      assert.ok(size <= 6 * 1024, `${line} has ${size} bytes`);
    }
  });

  it('large-compressible has four files of 64 MiB at full scale', async () => {
    const context = await generateContext('large-compressible', root(), { seed: 1, scale: SCALE });

    assert.equal(context.files, 4 + 1);
    assert.equal(context.bytes, 4 * Math.round(64 * 1024 * 1024 * SCALE) + DOCKERFILE_BYTES);
  });

  it('mixed-500mb has 500 MB with 150 MB incompressible at full scale', async () => {
    const context = await generateContext('mixed-500mb', root(), { seed: 1, scale: SCALE });

    assert.equal(context.bytes, 500_000_000 * SCALE + DOCKERFILE_BYTES);
    const random = sizeOf(context.dir, /^(assets|vendor)\//);
    assert.equal(random.bytes, 150_000_000 * SCALE);
    assert.ok(random.compressed >= random.bytes, `gzip shrank the random part from ${random.bytes} to ${random.compressed} bytes`);
    const text = sizeOf(context.dir, /\.(log|js|ts)$/);
    assert.ok(text.compressed < text.bytes / 3, `gzip shrank the text only from ${text.bytes} to ${text.compressed} bytes`);
  });

  it('scale out of range is rejected', async () => {
    await assert.rejects(generateContext('small-files', root(), { seed: 1, scale: 0 }), /scale must be greater than 0 and at most 1, not 0/);
    await assert.rejects(generateContext('small-files', root(), { seed: 1, scale: 2 }), /not 2/);
  });
});
