// Deletes kept context blobs that no run used for their retention days. Each run that keeps its
// context does this, so the container holds only the archives that recent runs used.
import { loc } from '../messages';
import { BLOB_RETENTION_METADATA, KEPT_CONTEXT_PREFIX } from '../plan/names';
import type { StorageSettings } from '../settings/types';
import type { ContextStore } from '../storage/blob-store';
import { describeStorageError } from '../storage/errors';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes the blobs under KEPT_CONTEXT_PREFIX whose last use, their last-modified time, is older
 * than their retention days. Blobs without the retention metadata were not created by this task
 * and stay. Returns what to log, if anything: the deleted blobs, or a warning on why the clean-up failed.
 */
export async function deleteUnusedContexts(
  store: ContextStore, storage: StorageSettings, now: Date, signal: AbortSignal,
): Promise<{ warning: boolean; message: string } | undefined> {
  try {
    const unused = (await store.list(KEPT_CONTEXT_PREFIX, signal)).filter((blob) => {
      const days = Number(blob.metadata[BLOB_RETENTION_METADATA]);
      return days > 0 && blob.lastModified.getTime() + days * DAY_MS < now.getTime();
    });
    // The ETag condition skips a blob that a run marked as used since the listing.
    const results = await Promise.all(unused.map(async (blob) => (await store.delete(blob.name, signal, blob.etag)) ? blob.name : undefined));
    const deleted = results.filter((name): name is string => name !== undefined);
    return deleted.length > 0 ? { warning: false, message: loc('KeptContextsDeleted', deleted.length, deleted.join(', ')) } : undefined;
  } catch (error) {
    signal.throwIfAborted();
    return { warning: true, message: loc('KeptContextsCleanupFailed', `${storage.account}/${storage.container}`, describeStorageError(error)) };
  }
}
