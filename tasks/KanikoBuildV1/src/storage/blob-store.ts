// Azure Blob Storage: the place the agent leaves the build context for kaniko.
import type { AccessToken, TokenCredential } from '@azure/identity';
import {
  BlobServiceClient, RestError, StorageRetryPolicyType, StorageSharedKeyCredential, type ContainerClient, type StorageRetryOptions,
  type UserDelegationKey,
} from '@azure/storage-blob';
import * as tl from 'azure-pipelines-task-lib/task';
import type { Readable } from 'node:stream';
import { TokenRequestError } from '../azure/errors';
import { STORAGE_TOKEN_SCOPE } from '../settings/storage';
import type { StorageSettings } from '../settings/types';
import { withDeadline } from '../timeout';
import { loc } from '../messages';
import { uploadBlocks, type BlockUploadOptions } from './block-upload';
import { onStorageRetry } from './retry-log';

/** The blob operations a run needs. */
export interface ContextStore {
  /** Creates the container with private access when it does not exist. */
  ensureContainer(signal?: AbortSignal): Promise<void>;
  /** Uploads the stream as a block blob with `metadata` and returns the bytes uploaded. */
  upload(blobName: string, content: Readable, metadata: Record<string, string>, signal?: AbortSignal, options?: UploadOptions): Promise<number>;
  /**
   * Marks a kept blob as used: when it was last modified before `staleBefore`, sets `metadata`
   * on it, which renews its last-modified time. Returns the blob's size in bytes, or undefined
   * when the blob does not exist.
   */
  markUsed(
    blobName: string, staleBefore: Date, metadata: (current: Record<string, string>) => Record<string, string>, signal?: AbortSignal,
  ): Promise<number | undefined>;
  /** Lists the blobs whose names start with `prefix`, with their metadata; none when the container does not exist. */
  list(prefix: string, signal?: AbortSignal): Promise<StoredBlob[]>;
  /**
   * Deletes the blob; a blob that is already gone is not an error. With `etag`, deletes it only
   * while it is unchanged since it was listed, and returns false when it changed.
   */
  delete(blobName: string, signal?: AbortSignal, etag?: string): Promise<boolean>;
  /**
   * Gets a user delegation key valid from `startsOn` to `expiresOn` with the storage
   * connection's Entra ID token, and masks its value. Storage allows at most seven days.
   */
  getUserDelegationKey(startsOn: Date, expiresOn: Date, signal?: AbortSignal): Promise<UserDelegationKey>;
}

export type UploadOptions = Pick<BlockUploadOptions, 'createOnly' | 'beforeCommit'>;

/** A blob as a listing shows it. */
export interface StoredBlob {
  name: string;
  /** Metadata names in lower case. */
  metadata: Record<string, string>;
  lastModified: Date;
  etag: string;
}

/**
 * Blocks of 2 MiB, four at a time, keep about 10 MiB of the archive in memory and still upload
 * faster than two cores compress. A blob holds at most 50,000 blocks, so an archive can have up to 97 GiB.
 */
export const UPLOAD_BLOCK_SIZE = 2 * 1024 * 1024;
const PARALLEL_BLOCKS = 4;

/**
 * Retries of each storage request; the upload makes one request per 2 MiB block. The SDK's
 * policy retries 500, 503 and dropped connections, up to 5 tries, with waits of 0, 0.5, 1.5 and
 * 3.5 s ((2^(try-1) - 1) * retryDelayInMs, at most maxRetryDelayInMs). tryTimeoutInMs sets the
 * server-side `timeout` of each try, in whole seconds.
 */
export const STORAGE_RETRY_OPTIONS: StorageRetryOptions = {
  retryPolicyType: StorageRetryPolicyType.EXPONENTIAL,
  maxTries: 5,
  retryDelayInMs: 500,
  maxRetryDelayInMs: 4_000,
  tryTimeoutInMs: 60_000,
};

/**
 * Returns the store of the settings' account. It signs requests with the account key, or sends
 * the storage connection's Entra ID token.
 */
export function createBlobStore(storage: StorageSettings): ContextStore {
  const { connection } = storage;
  const credential = connection
    // @azure/identity and MSAL are loaded only for a storage connection, not with an account key.
    ? maskingCredential(import('../azure/credential').then((module) => ({ credential: module.createArmCredential(connection), timeoutMs: module.TOKEN_TIMEOUT_MS })))
    : new StorageSharedKeyCredential(storage.account, storage.accessKey);
  const service = new BlobServiceClient(storage.uploadEndpoint, credential, {
    retryOptions: STORAGE_RETRY_OPTIONS,
    userAgentOptions: { userAgentPrefix: 'kaniko-build-on-aks' },
    audience: STORAGE_TOKEN_SCOPE,
  });
  const container = service.getContainerClient(storage.container);
  const logged = retryLogger(storage.account);
  return {
    ensureContainer: (signal) => logged(async () => {
      await container.createIfNotExists({ abortSignal: signal });
    }),
    upload: (blobName, content, metadata, signal, options) => logged(() => upload(container, blobName, content, metadata, signal, options)),
    markUsed: (blobName, staleBefore, metadata, signal) => logged(() => markUsed(container, blobName, staleBefore, metadata, signal)),
    list: (prefix, signal) => logged(() => listBlobs(container, prefix, signal)),
    delete: (blobName, signal, etag) => logged(() => deleteBlob(container, blobName, signal, etag)),
    getUserDelegationKey: (startsOn, expiresOn, signal) => logged(async () => {
      const key = await service.getUserDelegationKey(startsOn, expiresOn, { abortSignal: signal });
      tl.setSecret(key.value);
      return key;
    }),
  };
}

/**
 * Returns a wrapper that logs each retry the SDK makes while a storage call of the account runs.
 * Calls that overlap share one subscription, so that each retry is logged once.
 */
function retryLogger(account: string): <T>(call: () => Promise<T>) => Promise<T> {
  let running = 0;
  let stop: (() => void) | undefined;
  return async (call) => {
    if (running === 0) {
      stop = onStorageRetry((retry) => console.log(loc('RetryingStorageRequest', account, retry.reason, (retry.delayMs / 1000).toFixed(1))));
    }
    running += 1;
    try {
      return await call();
    } finally {
      running -= 1;
      if (running === 0) stop?.();
    }
  };
}

/**
 * Wraps the connection's credential so that every token is masked and a failed token request
 * becomes a TokenRequestError, so that the step's error can distinguish it from a rejected storage call.
 */
function maskingCredential(loaded: Promise<{ credential: TokenCredential; timeoutMs: number }>): TokenCredential {
  return {
    getToken: async (scopes, options) => {
      const signal = (options?.abortSignal as AbortSignal | undefined) ?? new AbortController().signal;
      const { credential, timeoutMs } = await loaded;
      let token: AccessToken | null;
      try {
        token = await withDeadline((deadline) => credential.getToken(scopes, { ...options, abortSignal: deadline }),
          timeoutMs, `the token request for ${String(scopes)}`, signal);
      } catch (error) {
        signal.throwIfAborted();
        throw new TokenRequestError(error instanceof Error ? error.message : String(error), { cause: error });
      }
      if (!token) throw new TokenRequestError(`the credential returned no token for ${String(scopes)}`);
      tl.setSecret(token.token);
      return token;
    },
  };
}

async function listBlobs(container: ContainerClient, prefix: string, signal?: AbortSignal): Promise<StoredBlob[]> {
  const blobs: StoredBlob[] = [];
  try {
    for await (const blob of container.listBlobsFlat({ prefix, includeMetadata: true, abortSignal: signal })) {
      const metadata = Object.fromEntries(Object.entries(blob.metadata ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
      blobs.push({ name: blob.name, metadata, lastModified: blob.properties.lastModified, etag: blob.properties.etag ?? '' });
    }
  } catch (error) {
    if (error instanceof RestError && error.code === 'ContainerNotFound') return [];
    throw error;
  }
  return blobs;
}

function upload(
  container: ContainerClient, blobName: string, content: Readable, metadata: Record<string, string>, signal?: AbortSignal,
  options?: UploadOptions,
): Promise<number> {
  return uploadBlocks(container.getBlockBlobClient(blobName), content, {
    blockSize: UPLOAD_BLOCK_SIZE, parallel: PARALLEL_BLOCKS, metadata, contentType: 'application/gzip', ...options, signal,
  });
}

async function markUsed(
  container: ContainerClient, blobName: string, staleBefore: Date,
  metadata: (current: Record<string, string>) => Record<string, string>, signal?: AbortSignal,
): Promise<number | undefined> {
  const blob = container.getBlockBlobClient(blobName);
  let properties;
  try {
    properties = await blob.getProperties({ abortSignal: signal });
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404) return undefined;
    throw error;
  }
  const size = properties.contentLength ?? 0;
  if (properties.lastModified && properties.lastModified >= staleBefore) return size;
  try {
    // The ETag condition keeps a clean-up that deleted the blob meanwhile from being undone by a 404 here.
    await blob.setMetadata(metadata(properties.metadata ?? {}), { abortSignal: signal, conditions: { ifMatch: properties.etag } });
  } catch (error) {
    if (error instanceof RestError && (error.statusCode === 404 || error.statusCode === 412)) return markUsed(container, blobName, staleBefore, metadata, signal);
    throw error;
  }
  return size;
}

async function deleteBlob(container: ContainerClient, blobName: string, signal?: AbortSignal, etag?: string): Promise<boolean> {
  try {
    await container.getBlockBlobClient(blobName).deleteIfExists({ abortSignal: signal, ...(etag ? { conditions: { ifMatch: etag } } : {}) });
    return true;
  } catch (error) {
    if (etag && error instanceof RestError && error.statusCode === 412) return false;
    throw error;
  }
}
