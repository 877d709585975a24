// Short, secret-free descriptions of Azure Storage errors.
import { RestError } from '@azure/storage-blob';
import { azureErrorSummary, TokenRequestError } from '../azure/errors';
import { loc } from '../messages';
import type { ArmConnection, StorageSettings } from '../settings/types';

/** Formats a storage error as `HTTP 403 AuthorizationFailure: message` without request details. */
export function describeStorageError(error: unknown): string {
  if (error instanceof RestError) {
    const firstLine = error.message.split('\n')[0].replace(/\.+$/, '');
    const status = error.statusCode ? `HTTP ${error.statusCode}` : 'no response';
    return `${status}${error.code ? ` ${error.code}` : ''}: ${firstLine}`;
  }
  return (error instanceof Error ? error.message.split('\n')[0] : String(error)).replace(/\.+$/, '');
}

/**
 * Returns the step's error for a failed call (`action`, such as "the upload") with a storage
 * connection: a failed token request, a call that storage rejected with 403, or another failure
 * (`otherKey` with `target` and the connection).
 */
export function connectionFailureMessage(
  storage: StorageSettings, connection: ArmConnection, action: string, error: unknown, otherKey: string, target: string,
): string {
  if (error instanceof TokenRequestError) {
    return loc('StorageTokenFailed', storage.account, connection.connectionId, azureErrorSummary(error));
  }
  if (error instanceof RestError && error.statusCode === 403) {
    return loc('StoragePermissionDenied', storage.account, action, connection.connectionId, describeStorageError(error), storage.container);
  }
  return loc(otherKey, target, connection.connectionId, describeStorageError(error));
}
