// The user delegation key that signs the read SAS when the task reaches storage through a
// service connection instead of the account key.
import type { UserDelegationKey } from '@azure/storage-blob';
import * as tl from 'azure-pipelines-task-lib/task';
import { sasExpiry } from '../plan/plan';
import type { Settings, StorageSettings } from '../settings/types';
import type { ContextStore } from '../storage/blob-store';
import { connectionFailureMessage } from '../storage/errors';
import { CLOCK_SKEW_MS } from '../storage/sas';

/**
 * Gets the key for a run planned at `now`, valid only as long as the read SAS: from the SAS start
 * until sasExpiry. Returns undefined when the run uses the account key or needs no SAS.
 */
export async function getDelegationKey(
  settings: Settings, storage: StorageSettings, store: ContextStore, now: Date, signal: AbortSignal,
): Promise<UserDelegationKey | undefined> {
  if (!storage.connection || settings.context.delivery !== 'sasDownload') return undefined;
  const expiresOn = sasExpiry(settings, now);
  tl.debug(`requesting a user delegation key of ${storage.account} until ${expiresOn.toISOString()}`);
  try {
    return await store.getUserDelegationKey(new Date(now.getTime() - CLOCK_SKEW_MS), expiresOn, signal);
  } catch (error) {
    signal.throwIfAborted();
    const message = connectionFailureMessage(storage, storage.connection, 'the user delegation key request', error,
      'StorageDelegationKeyFailed', storage.account);
    throw new Error(message, { cause: error });
  }
}
