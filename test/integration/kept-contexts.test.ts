// Kept context blobs in Azurite: a create-only upload that another upload beat, marking a blob
// as used, and the clean-up of blobs that no run used for their retention days.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { BlobServiceClient, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import { deleteUnusedContexts } from '../../tasks/KanikoBuildV1/src/phases/kept-contexts';
import { createBlobStore, type ContextStore } from '../../tasks/KanikoBuildV1/src/storage/blob-store';
import type { StorageSettings } from '../../tasks/KanikoBuildV1/src/settings/types';
import { sharedAzurite } from './stand-ins';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('kept context blobs', function () {
  this.timeout(60_000);
  let storage: StorageSettings;
  let store: ContextStore;
  let direct: ContainerClient;

  beforeEach(async () => {
    const azurite = await sharedAzurite();
    storage = {
      account: azurite.accountName, container: `kept-${randomBytes(3).toString('hex')}`, accessKey: azurite.accountKey,
      uploadEndpoint: azurite.blobEndpoint, kanikoEndpoint: `https://${azurite.accountName}.blob.core.windows.net`,
    };
    store = createBlobStore(storage);
    await store.ensureContainer();
    direct = new BlobServiceClient(azurite.blobEndpoint, new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey))
      .getContainerClient(storage.container);
  });

  it('create-only upload keeps the first blob', async () => {
    await store.upload('sha256/a.tar.gz', Readable.from([Buffer.from('first')]), { kanikobuildretentiondays: '7' }, undefined, { createOnly: true });
    const uploaded = await store.upload('sha256/a.tar.gz', Readable.from([Buffer.from('second')]), {}, undefined, { createOnly: true });

    assert.equal(uploaded, 6);
    assert.equal((await direct.getBlockBlobClient('sha256/a.tar.gz').downloadToBuffer()).toString(), 'first');
  });

  it('create-only upload loses to a commit in between', async () => {
    // The second upload stages its block, then the first commits, which discards the second's block.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const slow = store.upload('sha256/b.tar.gz', Readable.from([Buffer.from('slow')]), {}, undefined, {
      createOnly: true,
      beforeCommit: () => gate,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await store.upload('sha256/b.tar.gz', Readable.from([Buffer.from('fast')]), {}, undefined, { createOnly: true });
    release();

    assert.equal(await slow, 4);
    assert.equal((await direct.getBlockBlobClient('sha256/b.tar.gz').downloadToBuffer()).toString(), 'fast');
  });

  it('failed beforeCommit leaves no blob', async () => {
    const upload = store.upload('sha256/c.tar.gz', Readable.from([Buffer.from('content')]), {}, undefined, {
      createOnly: true,
      beforeCommit: () => Promise.reject(new Error('the context changed')),
    });

    await assert.rejects(upload, /the context changed/);
    assert.equal(await direct.getBlockBlobClient('sha256/c.tar.gz').exists(), false);
  });

  it('markUsed renews a stale blob only', async () => {
    await direct.getBlockBlobClient('sha256/d.tar.gz').upload('d', 1, { metadata: { kanikobuildretentiondays: '3' } });
    const before = (await direct.getBlockBlobClient('sha256/d.tar.gz').getProperties()).etag;

    const fresh = await store.markUsed('sha256/d.tar.gz', new Date(Date.now() - 60_000), () => ({ kanikobuildretentiondays: '30' }));
    const unchanged = (await direct.getBlockBlobClient('sha256/d.tar.gz').getProperties()).etag;
    const stale = await store.markUsed('sha256/d.tar.gz', new Date(Date.now() + 60_000), (current) => ({ ...current, kanikobuildretentiondays: '30' }));
    const after = await direct.getBlockBlobClient('sha256/d.tar.gz').getProperties();

    assert.equal(fresh, 1, 'the blob size');
    assert.equal(unchanged, before);
    assert.equal(stale, 1, 'the blob size');
    assert.notEqual(after.etag, before);
    assert.equal(after.metadata?.kanikobuildretentiondays, '30');
  });

  it('markUsed of a missing blob returns undefined', async () => {
    assert.equal(await store.markUsed('sha256/missing.tar.gz', new Date(), (current) => current), undefined);
  });

  it('clean-up deletes blobs past their retention', async () => {
    await direct.getBlockBlobClient('sha256/old.tar.gz').upload('o', 1, { metadata: { kanikobuildretentiondays: '1' } });
    await direct.getBlockBlobClient('sha256/kept.tar.gz').upload('k', 1, { metadata: { kanikobuildretentiondays: '30' } });
    await direct.getBlockBlobClient('sha256/foreign.tar.gz').upload('f', 1);
    await direct.getBlockBlobClient('other/old.tar.gz').upload('x', 1, { metadata: { kanikobuildretentiondays: '1' } });

    // Two days from now, the one-day blob is past its retention and the thirty-day one is not.
    const result = await deleteUnusedContexts(store, storage, new Date(Date.now() + 2 * DAY_MS), new AbortController().signal);

    assert.deepEqual(result, { warning: false, message: 'Deleted 1 kept build contexts that no run used for their retention days: sha256/old.tar.gz' });
    const names: string[] = [];
    for await (const blob of direct.listBlobsFlat()) names.push(blob.name);
    assert.deepEqual(names.sort(), ['other/old.tar.gz', 'sha256/foreign.tar.gz', 'sha256/kept.tar.gz']);
  });

  it('clean-up skips a blob used since the listing', async () => {
    await direct.getBlockBlobClient('sha256/busy.tar.gz').upload('b', 1, { metadata: { kanikobuildretentiondays: '1' } });
    const [listed] = await store.list('sha256/');
    await direct.getBlockBlobClient('sha256/busy.tar.gz').setMetadata({ kanikobuildretentiondays: '1' });

    assert.equal(await store.delete(listed.name, undefined, listed.etag), false);
    assert.equal(await direct.getBlockBlobClient('sha256/busy.tar.gz').exists(), true);
  });

  it('clean-up failure is a warning', async () => {
    const broken = createBlobStore({ ...storage, accessKey: Buffer.from('not the key').toString('base64') });

    const result = await deleteUnusedContexts(broken, storage, new Date(), new AbortController().signal);

    assert.equal(result?.warning, true);
    assert.match(result?.message ?? '', new RegExp(`^Could not delete old kept build contexts in ${storage.account}/${storage.container}: `));
  });
});
