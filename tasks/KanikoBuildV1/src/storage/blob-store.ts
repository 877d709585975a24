// Azure Blob Storage: the place the agent leaves the build context for kaniko.
import { BlobServiceClient, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import { Transform, type Readable } from 'node:stream';
import type { StorageSettings } from '../settings/types';

/** The blob operations a run needs. */
export interface ContextStore {
  /** Creates the container with private access when it does not exist. */
  ensureContainer(signal?: AbortSignal): Promise<void>;
  /** Uploads the stream as a block blob and returns the bytes uploaded. */
  upload(blobName: string, content: Readable, signal?: AbortSignal): Promise<number>;
  /** Deletes the blob; a blob that is already gone is not an error. */
  delete(blobName: string, signal?: AbortSignal): Promise<void>;
}

const BLOCK_SIZE = 4 * 1024 * 1024;
const PARALLEL_BLOCKS = 4;

export function createBlobStore(storage: StorageSettings): ContextStore {
  const credential = new StorageSharedKeyCredential(storage.account, storage.accessKey);
  const service = new BlobServiceClient(storage.uploadEndpoint, credential, {
    retryOptions: { maxTries: 4, retryDelayInMs: 500, maxRetryDelayInMs: 4_000 },
    userAgentOptions: { userAgentPrefix: 'kaniko-build-on-aks' },
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
