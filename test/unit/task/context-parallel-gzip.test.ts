// parallelGzip: independent gzip members in input order, read back by node:zlib and by gzip(1).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parallelGzip } from '../../../tasks/KanikoBuildV1/src/context/parallel-gzip';

/** Returns `length` bytes of text that compresses, different at every offset. */
function sampleText(length: number): Buffer {
  const lines: string[] = [];
  let size = 0;
  for (let line = 0; size < length; line += 1) {
    const text = `line ${line}: ${createHash('sha1').update(String(line)).digest('hex')} context archive\n`;
    lines.push(text);
    size += text.length;
  }
  return Buffer.from(lines.join('')).subarray(0, length);
}

/** Sends `input` through parallelGzip in writes of the given sizes, repeated. */
async function compress(input: Buffer, writeSizes: number[], memberSize: number, parallel = 3): Promise<Buffer> {
  const writes: Buffer[] = [];
  for (let offset = 0, index = 0; offset < input.length; index += 1) {
    const size = writeSizes[index % writeSizes.length];
    writes.push(input.subarray(offset, offset + size));
    offset += size;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of Readable.from(writes).pipe(parallelGzip({ level: 6, memberSize, parallel }))) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('context: parallelGzip', () => {
  const input = sampleText(250_000);

  it('output gunzips to the input', async () => {
    const output = await compress(input, [7_000, 13, 40_000], 16_384);

    assert.ok(gunzipSync(output).equals(input));
  });

  it('members are fixed-size pieces in order', async () => {
    const memberSize = 16_384;
    const output = await compress(input, [3_001], memberSize);
    const expected: Buffer[] = [];
    for (let offset = 0; offset < input.length; offset += memberSize) {
      expected.push(gzipSync(input.subarray(offset, offset + memberSize), { level: 6 }));
    }

    assert.equal(expected.length, Math.ceil(input.length / memberSize));
    assert.ok(output.equals(Buffer.concat(expected)));
  });

  it('write sizes do not change the output', async () => {
    const first = await compress(input, [1], 10_000, 1);
    const second = await compress(input, [65_536, 999], 10_000, 4);

    assert.ok(first.equals(second));
  });

  it('empty input gives one empty member', async () => {
    const output = await compress(Buffer.alloc(0), [1], 1024);

    assert.equal(output.subarray(0, 2).toString('hex'), '1f8b');
    assert.equal(gunzipSync(output).length, 0);
  });

  it('gzip -d reads every member', async () => {
    const output = await compress(input, [50_000], 8_192);
    const gunzip = spawnSync('gzip', ['-d', '-c'], { input: output, maxBuffer: 10 * 1024 * 1024 });

    assert.equal(gunzip.status, 0, gunzip.stderr.toString());
    assert.ok(gunzip.stdout.equals(input));
  });
});
