// Azure Blob Storage: the place the agent leaves the build context for kaniko.
import type { AccessToken, TokenCredential } from '@azure/identity';
import {
  BlobServiceClient, StorageSharedKeyCredential, type ContainerClient, type UserDelegationKey,
} from '@azure/storage-blob';
import * as tl from 'azure-pipelines-task-lib/task';
import { Transform, type Readable } from 'node:stream';
import { createArmCredential, TOKEN_TIMEOUT_MS } from '../azure/credential';
import { TokenRequestError } from '../azure/errors';
import { STORAGE_TOKEN_SCOPE } from '../settings/storage';
import type { StorageSettings } from '../settings/types';
import { withDeadline } from '../timeout';

/** The blob operations a run needs. */
export interface ContextStore {
  /** Creates the container with private access when it does not exist. */
  ensureContainer(signal?: AbortSignal): Promise<void>;
  /** Uploads the stream as a block blob and returns the bytes uploaded. */
  upload(blobName: string, content: Readable, signal?: AbortSignal): Promise<number>;
  /** Deletes the blob; a blob that is already gone is not an error. */
  delete(blobName: string, signal?: AbortSignal): Promise<void>;
  /**
   * Gets a user delegation key valid from `startsOn` to `expiresOn` with the storage
   * connection's Entra ID token, and masks its value. Storage allows at most seven days.
   */
  getUserDelegationKey(startsOn: Date, expiresOn: Date, signal?: AbortSignal): Promise<UserDelegationKey>;
}

const BLOCK_SIZE = 4 * 1024 * 1024;
const PARALLEL_BLOCKS = 4;

/**
 * Returns the store of the settings' account. It signs requests with the account key, or sends
 * the storage connection's Entra ID token.
 */
export function createBlobStore(storage: StorageSettings): ContextStore {
  const credential = storage.connection
    ? maskingCredential(createArmCredential(storage.connection))
    : new StorageSharedKeyCredential(storage.account, storage.accessKey);
  const service = new BlobServiceClient(storage.uploadEndpoint, credential, {
    retryOptions: { maxTries: 4, retryDelayInMs: 500, maxRetryDelayInMs: 4_000 },
    userAgentOptions: { userAgentPrefix: 'kaniko-build-on-aks' },
    audience: STORAGE_TOKEN_SCOPE,
  });
  const container = service.getContainerClient(storage.container);
  return {
    ensureContainer: async (signal) => {
      await container.createIfNotExists({ abortSignal: signal });
    },
    upload: (blobName, content, signal) => upload(container, blobName, content, signal),
    delete: async (blobName, signal) => {
      await container.getBlockBlobClient(blobName).deleteIfExists({ abortSignal: signal });
    },
    getUserDelegationKey: async (startsOn, expiresOn, signal) => {
      const key = await service.getUserDelegationKey(startsOn, expiresOn, { abortSignal: signal });
      tl.setSecret(key.value);
      return key;
    },
  };
}

/**
 * Wraps the connection's credential so that every token is masked and a failed token request
 * becomes a TokenRequestError, so that the step's error can distinguish it from a rejected storage call.
 */
function maskingCredential(credential: TokenCredential): TokenCredential {
  return {
    getToken: async (scopes, options) => {
      const signal = (options?.abortSignal as AbortSignal | undefined) ?? new AbortController().signal;
      let token: AccessToken | null;
      try {
        token = await withDeadline((deadline) => credential.getToken(scopes, { ...options, abortSignal: deadline }),
          TOKEN_TIMEOUT_MS, `the token request for ${String(scopes)}`, signal);
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

async function upload(container: ContainerClient, blobName: string, content: Readable, signal?: AbortSignal): Promise<number> {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  content.on('error', (error) => counter.destroy(error));
  await container.getBlockBlobClient(blobName).uploadStream(content.pipe(counter), BLOCK_SIZE, PARALLEL_BLOCKS, {
    abortSignal: signal,
    blobHTTPHeaders: { blobContentType: 'application/gzip' },
  });
  return bytes;
}
