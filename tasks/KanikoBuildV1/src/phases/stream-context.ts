// Packs the build context and streams it into kaniko's stdin through the attach API, for the
// `direct` delivery, which needs no storage account.
import { Readable } from 'node:stream';
import { ContextReadError, packContext } from '../context/archive';
import type { ContextEntry } from '../context/files';
import { formatBytes } from '../format';
import type { ClusterApi } from '../kubernetes/client';
import { describeApiError } from '../kubernetes/errors';
import { loc } from '../messages';
import type { BuildPlan } from '../plan/plan';
import { KANIKO_CONTAINER } from '../plan/pod';
import type { Settings } from '../settings/types';
import type { ContextTransfer } from './upload-context';

/**
 * Streams the archive once the kaniko container runs, and returns what it sent. Throws a message
 * that names the pod when the stream breaks.
 */
export async function streamContext(
  api: ClusterApi, settings: Settings, plan: BuildPlan, entries: ContextEntry[], signal: AbortSignal,
): Promise<ContextTransfer> {
  const { contextDir } = settings.build;
  console.log(loc('StreamingContext', contextDir, plan.namespace, plan.name));
  try {
    const archive = packContext(entries, { mtime: settings.context.mtime });
    const [sentBytes, stats] = await Promise.all([
      api.attachStdin(plan.namespace, plan.name, KANIKO_CONTAINER, Readable.from(cutOnFailure(archive.stream), { objectMode: false }), signal),
      archive.done,
    ]);
    console.log(loc('Streamed', stats.files, formatBytes(stats.contentBytes), formatBytes(sentBytes), plan.namespace, plan.name));
    return { files: stats.files, contentBytes: stats.contentBytes, archiveBytes: sentBytes, uploadedBytes: sentBytes, reused: false };
  } catch (error) {
    signal.throwIfAborted();
    if (error instanceof ContextReadError) throw new Error(loc('ContextReadFailed', contextDir, error.message), { cause: error });
    throw new Error(loc('StreamFailed', plan.namespace, plan.name, describeApiError(error)), { cause: error });
  }
}

/**
 * The first two bytes of a gzip member (RFC 1952). kaniko's reader, Go's compress/gzip, fails
 * with an unexpected EOF on a member that starts and never ends, as gunzip does.
 */
export const CUT_MEMBER = Buffer.from([0x1f, 0x8b]);

/**
 * Passes the archive on. When packing fails, it sends CUT_MEMBER before the failure: the
 * archive ends after a whole gzip member, and without it kaniko could read the shorter archive
 * as complete before the task deletes its pod.
 */
export async function* cutOnFailure(archive: Readable): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of archive) yield chunk as Buffer;
  } catch (error) {
    yield CUT_MEMBER;
    throw error;
  }
}
