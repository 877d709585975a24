// Reports the retries of @azure/storage-blob's retry policy. The policy (storageRetryPolicy in
// @azure/storage-common 12.4) retries each request itself and reports it only in the Azure SDK
// log, at info level: `RetryPolicy: Will retry for status code 503.` or `... Network error
// ECONNRESET found, will retry.`, then at once `RetryPolicy: Delay for 500ms`. This module reads
// those two lines from the log and drops every other line, which may contain URLs. The retry
// lines contain no URL, header or key.
import { AzureLogger, getLogLevel, setLogLevel } from '@azure/logger';

/** A retry that the storage retry policy is about to make. */
export interface StorageRetry {
  /** Such as `HTTP 503` or `ECONNRESET`. */
  reason: string;
  delayMs: number;
}

const WILL_RETRY_STATUS = /^azure:storage-common:info RetryPolicy: Will retry for status code (\d+)\./;
const WILL_RETRY_NETWORK = /^azure:storage-common:info RetryPolicy: Network error (\S+) found, will retry\./;
const WILL_RETRY_XML = /^azure:storage-common:info RetryPolicy: Incomplete XML response/;
const DELAY = /^azure:storage-common:info RetryPolicy: Delay for (\d+(?:\.\d+)?)ms/;

// The Azure SDK log is one global sink, so the state that reads it is global too.
const listeners = new Set<(retry: StorageRetry) => void>();
let routed = false;
let pendingReason: string | undefined;

/**
 * Calls `onRetry` for each retry of a storage request, until the returned function is called.
 * The first call routes the Azure SDK log through this module. When AZURE_LOG_LEVEL was set,
 * the other lines still go where they went before; otherwise they are dropped.
 */
export function onStorageRetry(onRetry: (retry: StorageRetry) => void): () => void {
  if (!routed) routeAzureLog();
  listeners.add(onRetry);
  return () => listeners.delete(onRetry);
}

function routeAzureLog(): void {
  routed = true;
  const passOn = getLogLevel() !== undefined ? AzureLogger.log.bind(AzureLogger) : undefined;
  if (!passOn) setLogLevel('info');
  AzureLogger.log = (...args: unknown[]) => {
    const line = typeof args[0] === 'string' ? args[0] : '';
    if (!readRetryLine(line)) passOn?.(...args);
  };
}

/** Returns true when `line` is one of the retry policy's retry lines, and reports a complete retry. */
function readRetryLine(line: string): boolean {
  const status = WILL_RETRY_STATUS.exec(line);
  const network = WILL_RETRY_NETWORK.exec(line);
  if (status || network || WILL_RETRY_XML.test(line)) {
    pendingReason = 'an incomplete XML response';
    if (status) pendingReason = `HTTP ${status[1]}`;
    if (network) pendingReason = network[1];
    return true;
  }
  const delay = DELAY.exec(line);
  if (!delay) return false;
  if (pendingReason) {
    const retry = { reason: pendingReason, delayMs: Number(delay[1]) };
    pendingReason = undefined;
    for (const listener of listeners) listener(retry);
  }
  return true;
}
