// cutOnFailure: an archive whose packing fails ends in a gzip member that never ends, so that a
// gzip reader reports an error instead of reading the members before it as a complete archive.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ContextReadError, packContext } from '../../../tasks/KanikoBuildV1/src/context/archive';
import { CUT_MEMBER, cutOnFailure } from '../../../tasks/KanikoBuildV1/src/phases/stream-context';
import { useTempDir } from './support/temp-dir';

/** Collects what cutOnFailure passes on, and the error it ends with, if any. */
async function collect(archive: Readable): Promise<{ bytes: Buffer; error?: unknown }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of cutOnFailure(archive)) chunks.push(chunk);
    return { bytes: Buffer.concat(chunks) };
  } catch (error) {
    return { bytes: Buffer.concat(chunks), error };
  }
}

describe('stream context: cut archive', () => {
  const root = useTempDir();

  it('complete archive passes unchanged', async () => {
    const members = [gzipSync('first '), gzipSync('second')];

    const { bytes, error } = await collect(Readable.from(members));

    assert.equal(error, undefined);
    assert.ok(bytes.equals(Buffer.concat(members)));
  });

  it('failed archive ends in a cut member', async () => {
    const members = [gzipSync('first '), gzipSync('second')];
    const failing = Readable.from((async function* () {
      yield* members;
      throw new Error('file changed');
    })());

    const { bytes, error } = await collect(failing);

    assert.match(String(error), /file changed/);
    assert.ok(bytes.equals(Buffer.concat([...members, CUT_MEMBER])));
    assert.equal(gunzipSync(Buffer.concat(members)).toString(), 'first second', 'the members alone read as a whole archive');
    assert.throws(() => gunzipSync(bytes), /unexpected end of file/);
  });

  it('packing failure cuts the stream', async () => {
    fs.writeFileSync(path.join(root(), 'big.bin'), Buffer.alloc(3 * 1024 * 1024 + 17, 7));
    // /proc files report size 0 but have content, as a file that grew after it was measured.
    const archive = packContext([
      { name: 'big.bin', type: 'file', source: path.join(root(), 'big.bin') },
      { name: 'status', type: 'file', source: '/proc/self/status' },
    ]);

    const { bytes, error } = await collect(archive.stream);
    await assert.rejects(archive.done, ContextReadError);

    assert.ok(error instanceof ContextReadError, String(error));
    assert.ok(bytes.subarray(-CUT_MEMBER.length).equals(CUT_MEMBER));
    assert.throws(() => gunzipSync(bytes), /unexpected end of file/);
  });
});
