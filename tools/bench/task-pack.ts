// The benchmark's task driver, and the only benchmark file that calls the task's code. The
// benchmark bundles it with esbuild and runs it with plain `node`, once per measurement. It
// reads a DriverRequest as JSON on stdin, packs (and uploads) the context as the task does,
// and prints a DriverReport as JSON on stdout.
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Cleanup } from '../../tasks/KanikoBuildV1/src/cleanup';
import { packContext } from '../../tasks/KanikoBuildV1/src/context/archive';
import { listContextEntries } from '../../tasks/KanikoBuildV1/src/context/files';
import { readContext } from '../../tasks/KanikoBuildV1/src/phases/read-context';
import { uploadContext } from '../../tasks/KanikoBuildV1/src/phases/upload-context';
import { BLOB_RETENTION_METADATA, keptContextBlobName } from '../../tasks/KanikoBuildV1/src/plan/names';
import { DEFAULT_ARCHIVE_MTIME, DEFAULT_RETENTION_DAYS } from '../../tasks/KanikoBuildV1/src/settings/context';
import type { BuildSettings, ContextSettings, StorageSettings } from '../../tasks/KanikoBuildV1/src/settings/types';
import { createBlobStore } from '../../tasks/KanikoBuildV1/src/storage/blob-store';
import type { DriverReport, DriverRequest, UploadTarget } from './protocol';

type Measured = Omit<DriverReport, 'seconds' | 'maxRssKiB'>;

/** The task's default context settings: a reproducible archive, kept for reruns. */
const CONTEXT: ContextSettings = { delivery: 'sasDownload', downloadImage: '', mtime: DEFAULT_ARCHIVE_MTIME, retentionDays: DEFAULT_RETENTION_DAYS };

async function pack(request: DriverRequest): Promise<Measured> {
  const entries = await listContextEntries(request.contextDir, request.dockerfile);
  const archive = packContext(entries, { mtime: CONTEXT.mtime });
  let archiveBytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      archiveBytes += chunk.length;
      callback();
    },
  });
  const [, stats] = await Promise.all([pipeline(archive.stream, sink), archive.done]);
  return { files: stats.files, contentBytes: stats.contentBytes, archiveBytes, uploadedBytes: 0 };
}

/** Runs the task's own steps: the read for the SHA-256, then the upload, skipped when the kept blob exists. */
async function packAndUpload(request: DriverRequest, target: UploadTarget): Promise<Measured> {
  const storage: StorageSettings = {
    account: target.account,
    container: target.container,
    accessKey: target.accountKey,
    uploadEndpoint: target.endpoint,
    // Only the pod reads from this URL; the driver never sends a request to it.
    kanikoEndpoint: `https://${target.account}.blob.core.windows.net`,
  };
  const build: BuildSettings = {
    contextDir: request.contextDir, dockerfile: request.dockerfile, dockerfileDisplayPath: request.dockerfile, buildArguments: [],
    secretBuildArguments: [], stageCount: 1, pulledImages: [],
  };
  const settings = { build, context: CONTEXT, storage };
  const started = performance.now();
  const context = await readContext(settings);
  const digestSeconds = (performance.now() - started) / 1000;
  const plan = {
    blobName: keptContextBlobName(context.digest?.sha256 ?? ''),
    keepBlob: true,
    blobMetadata: { [BLOB_RETENTION_METADATA]: String(CONTEXT.retentionDays) },
  };
  const result = await uploadContext(settings, storage, plan, createBlobStore(storage), context, new Cleanup(), new AbortController().signal);
  return { files: result.files, contentBytes: result.contentBytes, uploadedBytes: result.uploadedBytes, digestSeconds };
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
