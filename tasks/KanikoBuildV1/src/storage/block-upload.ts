// Uploads a stream as a block blob: Put Block for each few MiB of the stream, a few in parallel,
// then Put Block List with the metadata. BlockBlobClient.uploadStream does the same, but in
// @azure/storage-blob 12.32.0 it does not pass its abortSignal to the Put Block requests
// (uploadStream in Clients.js), so a cancel waits for the blocks in flight, which a slow
// connection can stretch past the agent's 7.5 s. Here every request gets the signal.
import { RestError, type BlockBlobClient } from '@azure/storage-blob';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

export interface BlockUploadOptions {
  blockSize: number;
  /** Put Block requests at a time. */
  parallel: number;
  metadata: Record<string, string>;
  contentType: string;
  /**
   * Commit only when no blob of that name exists yet. Another upload of the same name that
   * committed first wins, and this one returns without replacing it.
   */
  createOnly?: boolean;
  /** Runs after the last block is staged and before the commit; a rejection stops the upload uncommitted. */
  beforeCommit?: () => Promise<void>;
  signal?: AbortSignal;
}

/** Uploads `source` and returns the bytes uploaded; rejects with the first failed request, or at once on abort. */
export async function uploadBlocks(blob: BlockBlobClient, source: Readable, options: BlockUploadOptions): Promise<number> {
  const { signal } = options;
  const blockIds: string[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let bytes = 0;
  // Uploads of one blob name from several runs stage blocks side by side until one commits, so
  // each upload's block ids start with a random prefix of their own.
  const prefix = randomBytes(6).toString('hex');
  // Buffers of staged blocks, for reuse: at most `parallel` blocks are in flight and one fills.
  const spare: Buffer[] = [];
  for await (const block of blocksOf(source, options.blockSize, spare)) {
    signal?.throwIfAborted();
    if (failure) throw failure.error;
    // Block ids of one blob must all have the same length before base64 encoding.
    const blockId = Buffer.from(`${prefix}-${String(blockIds.length).padStart(6, '0')}`).toString('base64');
    blockIds.push(blockId);
    bytes += block.length;
    const content = block.buffer.subarray(0, block.length);
    // The body is a stream factory, which the SDK calls again for a retry. A Buffer body would
    // also work, but the SDK's request logging (a JSON.stringify of the request) first turns a
    // Buffer body into an array of numbers and then drops it: 8 bytes of garbage for each byte of the block.
    const body = (): Readable => Readable.from([content], { objectMode: false });
    const staged: Promise<void> = blob.stageBlock(blockId, body, block.length, { abortSignal: signal }).then(
      () => { inFlight.delete(staged); },
      (error: unknown) => {
        inFlight.delete(staged);
        failure ??= { error };
      },
    ).finally(() => spare.push(block.buffer));
    inFlight.add(staged);
    while (inFlight.size >= options.parallel && !failure) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  signal?.throwIfAborted();
  if (failure) throw failure.error;
  await options.beforeCommit?.();
  try {
    await blob.commitBlockList(blockIds, {
      abortSignal: signal, metadata: options.metadata, blobHTTPHeaders: { blobContentType: options.contentType },
      ...(options.createOnly ? { conditions: { ifNoneMatch: '*' } } : {}),
    });
  } catch (error) {
    if (!(options.createOnly && await isCommittedByOther(blob, error, signal))) throw error;
  }
  return bytes;
}

/** A block to stage: the first `length` bytes of `buffer`. */
interface Block {
  buffer: Buffer;
  /** The number of bytes of `buffer` that belong to the block. */
  length: number;
}

/**
 * Copies a stream into blocks of `size` bytes, in buffers taken from `spare` when it has one.
 * The last block may be shorter, and an empty stream gives none. A chunk may be a slice of a
 * larger buffer, so copying it lets that buffer go at once, before its block is staged.
 */
async function* blocksOf(source: Readable, size: number, spare: Buffer[]): AsyncGenerator<Block> {
  const emptyBlock = (): Block => ({ buffer: spare.pop() ?? Buffer.allocUnsafe(size), length: 0 });
  let block = emptyBlock();
  for await (const chunk of source) {
    for (let offset = 0; offset < (chunk as Buffer).length;) {
      const copied = (chunk as Buffer).copy(block.buffer, block.length, offset);
      offset += copied;
      block.length += copied;
      if (block.length === size) {
        yield block;
        block = emptyBlock();
      }
    }
  }
  if (block.length > 0) yield block;
}

/**
 * Returns whether a create-only commit failed because another upload committed the blob first.
 * Then either the condition failed (409 BlobAlreadyExists, or 412), or the other commit
 * discarded this upload's staged blocks (400 InvalidBlockList) and the blob now exists.
 */
async function isCommittedByOther(blob: BlockBlobClient, error: unknown, signal?: AbortSignal): Promise<boolean> {
  if (!(error instanceof RestError)) return false;
  if (error.statusCode === 409 || error.statusCode === 412) return true;
  return error.code === 'InvalidBlockList' && await blob.exists({ abortSignal: signal });
}
