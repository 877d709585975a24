// Packs the build context and uploads it to the blob container, or reuses the blob that an
// earlier run uploaded from the same sources.
import { connectionFailureMessage, describeStorageError } from '../storage/errors';
import { ContextReadError, packContext } from '../context/archive';
import type { Cleanup } from '../cleanup';
import { formatBytes } from '../format';
import { loc } from '../messages';
import { BLOB_RETENTION_METADATA } from '../plan/names';
import type { BuildPlan } from '../plan/plan';
import type { Settings, StorageSettings } from '../settings/types';
import type { ContextStore } from '../storage/blob-store';
import type { ContextListing } from './read-context';

/** The build context as it reached storage, or the pod with the `direct` delivery. */
export interface ContextTransfer {
  files: number;
  /** Bytes of file contents before compression. */
  contentBytes: number;
  /** Bytes of the compressed archive; for a reused archive, the size of its blob. */
  archiveBytes: number;
  /** Bytes sent by this run: 0 when an earlier run's archive was reused. */
  uploadedBytes: number;
  /** True when the blob of an earlier run with the same sources was reused, so nothing was uploaded. */
  reused: boolean;
}

/**
 * A kept blob's last-modified time is renewed when a run uses it and it is older than this, so
 * that a busy blob gets one metadata write an hour rather than one a run.
 */
const MARK_USED_INTERVAL_MS = 60 * 60 * 1000;

export async function uploadContext(
  settings: Pick<Settings, 'build' | 'context'>, storage: StorageSettings, plan: Pick<BuildPlan, 'blobName' | 'keepBlob' | 'blobMetadata'>,
  store: ContextStore, context: ContextListing, cleanup: Cleanup, signal: AbortSignal,
): Promise<ContextTransfer> {
  const { account, container } = storage;
  const blob = `blob ${container}/${plan.blobName} in storage account ${account}`;
  try {
    await store.ensureContainer(signal);
    if (plan.keepBlob && context.digest) {
      const { files, contentBytes, sha256 } = context.digest;
      console.log(loc('ContextDigest', settings.build.contextDir, files, formatBytes(contentBytes), sha256));
      const keptBytes = await reuseKeptBlob(store, plan, signal);
      if (keptBytes !== undefined) {
        console.log(loc('ContextReused', blob));
        return { files, contentBytes, archiveBytes: keptBytes, uploadedBytes: 0, reused: true };
      }
    }
    // NOTE: a kept blob gets no delete. A cancel before its commit leaves the staged blocks
    // uncommitted: they belong to no blob and no listing shows them. The task leaves them, since
    // removing them takes a commit, which would also discard a parallel run's blocks of that name.
    if (!plan.keepBlob) {
      // Registered before the upload starts, so that a cancel during the upload still deletes
      // the blob when its commit went through.
      cleanup.add(blob, (deadline) => store.delete(plan.blobName, deadline).then(() => undefined, (error: unknown) => {
        throw new Error(describeStorageError(error));
      }));
    }
    console.log(loc('PackingContext', settings.build.contextDir));
    const archive = packContext(context.entries, { mtime: settings.context.mtime });
    // The blob's name promises the archive's SHA-256, so a file that changed since the context
    // was read leaves the upload uncommitted.
    const beforeCommit = context.digest ? async () => checkUnchanged(await archive.done, context) : undefined;
    const [uploadedBytes, stats] = await Promise.all([
      store.upload(plan.blobName, archive.stream, plan.blobMetadata, signal, { createOnly: plan.keepBlob, beforeCommit }),
      archive.done,
    ]);
    console.log(loc('Uploaded', stats.files, formatBytes(stats.contentBytes), formatBytes(uploadedBytes), blob));
    return { files: stats.files, contentBytes: stats.contentBytes, archiveBytes: uploadedBytes, uploadedBytes, reused: false };
  } catch (error) {
    signal.throwIfAborted();
    if (error instanceof ContextReadError) throw new Error(loc('ContextReadFailed', settings.build.contextDir, error.message), { cause: error });
    const { connection } = storage;
    const message = connection
      ? connectionFailureMessage(storage, connection, 'the upload', error, 'StorageConnectionUploadFailed', blob)
      : loc('UploadFailed', blob, describeStorageError(error));
    throw new Error(message, { cause: error });
  }
}

/**
 * Renews the kept blob's last use and returns its size, or undefined when it does not exist. Its
 * retention becomes the longer of its own and this run's.
 */
async function reuseKeptBlob(
  store: ContextStore, plan: Pick<BuildPlan, 'blobName' | 'blobMetadata'>, signal: AbortSignal,
): Promise<number | undefined> {
  const staleBefore = new Date(Date.now() - MARK_USED_INTERVAL_MS);
  const days = Number(plan.blobMetadata[BLOB_RETENTION_METADATA]);
  return store.markUsed(plan.blobName, staleBefore, (current) => {
    const keptDays = Number(current[BLOB_RETENTION_METADATA]);
    return { ...current, [BLOB_RETENTION_METADATA]: String(keptDays > days ? keptDays : days) };
  }, signal);
}

function checkUnchanged(packed: { sha256: string }, context: ContextListing): void {
  if (packed.sha256 !== context.digest?.sha256) throw new ContextReadError(loc('ContextChanged'));
}
