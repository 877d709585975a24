// ParallelGzip: independent gzip members in input order, read back by node:zlib and by gzip(1).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ParallelGzip } from '../../../tasks/KanikoBuildV1/src/context/parallel-gzip';
import { PieceWriter } from '../../../tasks/KanikoBuildV1/src/context/pieces';

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

/** Writes `input` through a PieceWriter into ParallelGzip in writes of the given sizes, repeated, while reading the output. */
async function compress(input: Buffer, writeSizes: number[], memberSize: number, parallel = 3): Promise<Buffer> {
  const gzip = new ParallelGzip({ level: 6, memberSize, parallel });
  const writer = new PieceWriter(gzip);
  const written = (async () => {
    for (let offset = 0, index = 0; offset < input.length; index += 1) {
      const size = writeSizes[index % writeSizes.length];
      await writer.write(input.subarray(offset, offset + size));
      offset += size;
    }
    await writer.end();
  })();
  const chunks: Buffer[] = [];
  for await (const chunk of gzip.output) chunks.push(chunk as Buffer);
  await written;
  return Buffer.concat(chunks);
}

describe('context: ParallelGzip', () => {
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

  it('zero writes fill pieces like copied bytes', async () => {
    const gzip = new ParallelGzip({ level: 6, memberSize: 1000, parallel: 2 });
    const writer = new PieceWriter(gzip);
    const written = (async () => {
      await writer.write(Buffer.from('head'));
      await writer.zeros(2500);
      await writer.write(Buffer.from('tail'));
      await writer.end();
    })();
    const chunks: Buffer[] = [];
    for await (const chunk of gzip.output) chunks.push(chunk as Buffer);
    await written;

    assert.ok(gunzipSync(Buffer.concat(chunks)).equals(Buffer.concat([Buffer.from('head'), Buffer.alloc(2500), Buffer.from('tail')])));
  });

  it('a destroyed output fails the writer', async () => {
    const gzip = new ParallelGzip({ level: 6, memberSize: 1024, parallel: 1 });
    const writer = new PieceWriter(gzip);
    gzip.output.destroy(new Error('upload stopped'));

    await assert.rejects(async () => writer.write(input), /upload stopped/);
  });

  it('gzip -d reads every member', async () => {
    const output = await compress(input, [50_000], 8_192);
    const gunzip = spawnSync('gzip', ['-d', '-c'], { input: output, maxBuffer: 10 * 1024 * 1024 });

    assert.equal(gunzip.status, 0, gunzip.stderr.toString());
    assert.ok(gunzip.stdout.equals(input));
  });
});
