// The benchmark's task driver, and the only benchmark file that calls the task's code. The
// benchmark bundles it with esbuild and runs it with plain `node`, once per measurement. It
// reads a DriverRequest as JSON on stdin, packs (and uploads) the context as the task does,
// and prints a DriverReport as JSON on stdout.
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { packContext } from '../../tasks/KanikoBuildV1/src/context/archive';
import { listContextEntries } from '../../tasks/KanikoBuildV1/src/context/files';
import { createBlobStore } from '../../tasks/KanikoBuildV1/src/storage/blob-store';
import type { DriverReport, DriverRequest, UploadTarget } from './protocol';

type Measured = Omit<DriverReport, 'seconds' | 'maxRssKiB'>;

async function pack(request: DriverRequest): Promise<Measured> {
  const entries = await listContextEntries(request.contextDir, request.dockerfile);
  const archive = packContext(entries);
  let archiveBytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      archiveBytes += chunk.length;
      callback();
    },
  });
  const [, stats] = await Promise.all([pipeline(archive.stream, sink), archive.done]);
  return { ...stats, archiveBytes, uploadedBytes: 0 };
}

async function packAndUpload(request: DriverRequest, target: UploadTarget): Promise<Measured> {
  const store = createBlobStore({
    account: target.account,
    container: target.container,
    accessKey: target.accountKey,
    uploadEndpoint: target.endpoint,
    // Only the pod reads from this URL; the driver never sends a request to it.
    kanikoEndpoint: `https://${target.account}.blob.core.windows.net`,
  });
  const entries = await listContextEntries(request.contextDir, request.dockerfile);
  await store.ensureContainer();
  const archive = packContext(entries);
  const [uploadedBytes, stats] = await Promise.all([store.upload(target.blobName, archive.stream, {}), archive.done]);
  return { ...stats, uploadedBytes };
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

async function main(): Promise<void> {
  const request = JSON.parse(await readStdin()) as DriverRequest;
  const started = performance.now();
  let measured: Measured;
  if (request.mode === 'pack') {
    measured = await pack(request);
  } else if (request.target) {
    measured = await packAndUpload(request, request.target);
  } else {
    throw new Error('An upload request needs a target.');
  }
  const seconds = (performance.now() - started) / 1000;
  const report: DriverReport = { seconds, ...measured, maxRssKiB: process.resourceUsage().maxRSS };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

// The storage client keeps idle keep-alive connections open for a while, so the driver exits
// as soon as its report is written.
main().then(() => process.exit(0), (error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exit(1);
});
