// Packs the build context and uploads it to the blob container.
import { connectionFailureMessage, describeStorageError } from '../storage/errors';
import { listContextEntries } from '../context/files';
import { packContext } from '../context/archive';
import type { Cleanup } from '../cleanup';
import { loc } from '../messages';
import type { BuildPlan } from '../plan/plan';
import type { Settings, StorageSettings } from '../settings/types';
import type { ContextStore } from '../storage/blob-store';

export interface UploadResult {
  files: number;
  contentBytes: number;
  uploadedBytes: number;
}

export async function uploadContext(
  settings: Settings, storage: StorageSettings, plan: BuildPlan, store: ContextStore, cleanup: Cleanup, signal: AbortSignal,
): Promise<UploadResult> {
  const { contextDir, dockerfile } = settings.build;
  const { account, container } = storage;
  console.log(loc('PackingContext', contextDir));
  const entries = await listContextEntries(contextDir, dockerfile);

  const blob = `blob ${container}/${plan.blobName} in storage account ${account}`;
  try {
    await store.ensureContainer(signal);
    // Registered before the upload starts, so that a cancel during the upload still deletes
    // the blocks already sent.
    cleanup.add(blob, (deadline) => store.delete(plan.blobName, deadline).catch((error: unknown) => {
      throw new Error(describeStorageError(error));
    }));
    const archive = packContext(entries);
    const [uploadedBytes, stats] = await Promise.all([store.upload(plan.blobName, archive.stream, plan.blobMetadata, signal), archive.done]);
    console.log(loc('Uploaded', stats.files, formatBytes(stats.contentBytes), formatBytes(uploadedBytes), blob));
    return { ...stats, uploadedBytes };
  } catch (error) {
    signal.throwIfAborted();
    const { connection } = storage;
    const message = connection
      ? connectionFailureMessage(storage, connection, 'the upload', error, 'StorageConnectionUploadFailed', blob)
      : loc('UploadFailed', blob, describeStorageError(error));
    throw new Error(message, { cause: error });
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
