// Short, secret-free descriptions of Azure Storage errors.
import { RestError } from '@azure/storage-blob';

/** Formats a storage error as `HTTP 403 AuthorizationFailure: message` without request details. */
export function describeStorageError(error: unknown): string {
  if (error instanceof RestError) {
    const firstLine = error.message.split('\n')[0].replace(/\.+$/, '');
    const status = error.statusCode ? `HTTP ${error.statusCode}` : 'no response';
    return `${status}${error.code ? ` ${error.code}` : ''}: ${firstLine}`;
  }
  return (error instanceof Error ? error.message.split('\n')[0] : String(error)).replace(/\.+$/, '');
}
