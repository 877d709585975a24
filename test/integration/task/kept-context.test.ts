// Kept build contexts through the bundled task: a rerun with unchanged sources uploads nothing
// and builds from the kept archive, a changed file gives a new archive, and retention 0 keeps none.
import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { sharedStandIns } from '../stand-ins';
import { assertNothingLeft, errors, listBlobs, runBuild, type BuildRun } from './harness';

const FILES = { Dockerfile: 'FROM alpine:3.20\nCOPY app.txt /app.txt\n', 'app.txt': 'kept context\n' };

function log(build: BuildRun): string {
  return build.run.log.join('\n');
}

describe('KanikoBuild kept contexts', function () {
  this.timeout(120_000);

  it('rerun with unchanged sources uploads nothing', async () => {
    const container = `kept-${randomBytes(3).toString('hex')}`;
    const first = await runBuild({ files: FILES, container });
    const second = await runBuild({ files: FILES, container });

    assert.equal(first.run.result, 'Succeeded', errors(first.run));
    assert.equal(second.run.result, 'Succeeded', errors(second.run));
    assert.match(log(first), /Uploaded 2 files \(.+\) to blob kept-\w+\/sha256\/[0-9a-f]{64}\.tar\.gz/);
    assert.match(log(second), /blob kept-\w+\/sha256\/[0-9a-f]{64}\.tar\.gz in storage account devstoreaccount1 already holds this archive from an earlier run, so nothing is uploaded\./);
    assert.doesNotMatch(log(second), /Uploaded/);
    assert.deepEqual(second.record?.contextFiles, ['Dockerfile', 'app.txt']);
    const blobs = await listBlobs(second);
    assert.equal(blobs.length, 1);
    await assertNothingLeft(second);
  });

  it('blob is named by the tar SHA-256', async () => {
    const build = await runBuild({ files: FILES });
    const { azurite } = build.standIns;
    const [name] = await listBlobs(build);
    const blob = new BlobServiceClient(azurite.blobEndpoint, new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey))
      .getContainerClient(build.container).getBlockBlobClient(name);
    const properties = await blob.getProperties();
    const tar = gunzipSync(await blob.downloadToBuffer());

    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.equal(name, `sha256/${createHash('sha256').update(tar).digest('hex')}.tar.gz`);
    assert.equal(properties.metadata?.kanikobuildretentiondays, '7');
    assert.match(log(build), new RegExp(`the SHA-256 of its archive is ${name.slice(7, 71)}\\.`));
  });

  it('changed file gives a new archive', async () => {
    const container = `kept-${randomBytes(3).toString('hex')}`;
    const first = await runBuild({ files: FILES, container });
    const second = await runBuild({ files: { ...FILES, 'app.txt': 'changed\n' }, container });

    assert.equal(second.run.result, 'Succeeded', errors(second.run));
    assert.match(log(second), /Uploaded 2 files/);
    assert.equal((await listBlobs(first)).length, 2);
  });

  it('retention 0 keeps no archive', async () => {
    const build = await runBuild({ files: FILES, inputs: { contextRetentionInDays: '0' } });

    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.match(log(build), /Uploaded 2 files \(.+\) to blob contexts-\w+\/kaniko-4711-[0-9a-f]{8}\.tar\.gz/);
    assert.deepEqual(await listBlobs(build), []);
  });

  it('invalid retention fails before anything is created', async () => {
    const standIns = await sharedStandIns();
    const build = await runBuild({ standIns, files: FILES, inputs: { contextRetentionInDays: 'forever' } });

    assert.equal(build.run.result, 'Failed');
    assert.match(errors(build.run), /Input contextRetentionInDays: 'forever' is not a whole number from 0 to 365/);
    assert.equal(standIns.cluster.runs.some((run) => run.namespace === build.namespace), false);
    assert.deepEqual(await listBlobs(build), []);
  });
});
