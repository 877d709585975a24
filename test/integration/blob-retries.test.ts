// The context upload through a proxy in front of Azurite that fails some Put Block requests
// with 503 or 500, or drops their connections. The SDK's retries still produce the whole blob,
// and each retry is logged without a URL or key.
import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { createBlobStore, UPLOAD_BLOCK_SIZE } from '../../tasks/KanikoBuildV1/src/storage/blob-store';
import type { StorageSettings } from '../../tasks/KanikoBuildV1/src/settings/types';
import { captureStdout } from '../unit/task/support/stdout';
import { startFlakyProxy, type Fault, type FlakyProxy, type ProxiedRequest } from './flaky-proxy';
import { sharedAzurite } from './stand-ins';

const PASS: Fault = { kind: 'pass' };

function isPutBlock(request: ProxiedRequest): boolean {
  return request.method === 'PUT' && /[?&]comp=block(&|$)/.test(request.path);
}

describe('blob storage retries', function () {
  this.timeout(60_000);
  let proxy: FlakyProxy | undefined;

  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });

  it('upload survives failed and dropped blocks', async () => {
    const azurite = await sharedAzurite();
    const faults: Fault[] = [{ kind: 'status', code: 503 }, PASS, { kind: 'drop' }, PASS, { kind: 'status', code: 500 }];
    let putBlocks = 0;
    proxy = await startFlakyProxy({
      target: azurite.blobEndpoint,
      decide: (request) => {
        if (!isPutBlock(request)) return PASS;
        putBlocks += 1;
        return faults[putBlocks - 1] ?? PASS;
      },
    });
    const container = `retries-${randomBytes(3).toString('hex')}`;
    const storage: StorageSettings = {
      account: azurite.accountName, container, accessKey: azurite.accountKey,
      uploadEndpoint: `${proxy.url}/${azurite.accountName}`, kanikoEndpoint: `https://${azurite.accountName}.blob.core.windows.net`,
    };
    const store = createBlobStore(storage);
    // Three whole blocks and a part, so that parallel block uploads meet the faults.
    const content = randomBytes(3 * UPLOAD_BLOCK_SIZE + 12345);

    const { result: uploaded, output } = await captureStdout(async () => {
      await store.ensureContainer();
      return store.upload('context.tar.gz', Readable.from([content.subarray(0, 2_500_000), content.subarray(2_500_000)]), {});
    });

    assert.equal(uploaded, content.length);
    const direct = new BlobServiceClient(azurite.blobEndpoint, new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey));
    const stored = await direct.getContainerClient(container).getBlockBlobClient('context.tar.gz').downloadToBuffer();
    assert.equal(sha256(stored), sha256(content), 'the stored blob differs from the uploaded content');
    const retries = output.split('\n').filter((line) => line.startsWith('A request to storage account'));
    assert.equal(retries.length, 3, output);
    // The fifth Put Block may be a block's first try or its second, which waits 0.5 s.
    assert.ok(retries.some((line) => /^A request to storage account devstoreaccount1 failed with HTTP 503; the Azure SDK retries it in 0\.[05] s\.$/.test(line)),
      retries.join('\n'));
    assert.ok(retries.some((line) => /^A request to storage account devstoreaccount1 failed with HTTP 500; the Azure SDK retries it in 0\.[05] s\.$/.test(line)),
      retries.join('\n'));
    assert.ok(retries.some((line) => /failed with (ECONNRESET|EPIPE|REQUEST_SEND_ERROR)/.test(line)), retries.join('\n'));
    assert.ok(!output.includes(proxy.url), 'a request URL was logged');
    assert.ok(!output.includes(azurite.accountKey), 'the account key was logged');
    assert.equal(putBlocks, 4 + 3, 'each block should be sent once, and each failed one once more');
  });

  it('upload fails after five tries of one block', async () => {
    const azurite = await sharedAzurite();
    proxy = await startFlakyProxy({
      target: azurite.blobEndpoint,
      decide: (request) => (isPutBlock(request) ? { kind: 'status', code: 503 } : PASS),
    });
    const store = createBlobStore({
      account: azurite.accountName, container: `retries-${randomBytes(3).toString('hex')}`, accessKey: azurite.accountKey,
      uploadEndpoint: `${proxy.url}/${azurite.accountName}`, kanikoEndpoint: `https://${azurite.accountName}.blob.core.windows.net`,
    });

    const { output } = await captureStdout(async () => {
      await store.ensureContainer();
      await assert.rejects(store.upload('context.tar.gz', Readable.from([randomBytes(1000)]), {}), (error: { statusCode?: number }) => error.statusCode === 503);
    });

    const retries = output.split('\n').filter((line) => line.startsWith('A request to storage account'));
    assert.deepEqual(retries.map((line) => /retries it in ([\d.]+) s/.exec(line)?.[1]), ['0.0', '0.5', '1.5', '3.5']);
    assert.equal(proxy.log.filter((entry) => isPutBlock(entry.request)).length, 5);
  });
});

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
