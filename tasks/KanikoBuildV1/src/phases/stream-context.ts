// Packs the build context and streams it into kaniko's stdin through the attach API, for the
// `direct` delivery, which needs no storage account.
import { ContextReadError, packContext } from '../context/archive';
import type { ContextEntry } from '../context/files';
import type { ClusterApi } from '../kubernetes/client';
import { describeApiError } from '../kubernetes/errors';
import { loc } from '../messages';
import type { BuildPlan } from '../plan/plan';
import { KANIKO_CONTAINER } from '../plan/pod';
import type { Settings } from '../settings/types';
import { formatBytes } from './upload-context';

/** Streams the archive once the kaniko container runs; throws a message that names the pod when the stream breaks. */
export async function streamContext(
  api: ClusterApi, settings: Settings, plan: BuildPlan, entries: ContextEntry[], signal: AbortSignal,
): Promise<void> {
  const { contextDir } = settings.build;
  console.log(loc('StreamingContext', contextDir, plan.namespace, plan.name));
  try {
    const archive = packContext(entries, { mtime: settings.context.mtime });
    const [sentBytes, stats] = await Promise.all([
      api.attachStdin(plan.namespace, plan.name, KANIKO_CONTAINER, archive.stream, signal),
      archive.done,
    ]);
    console.log(loc('Streamed', stats.files, formatBytes(stats.contentBytes), formatBytes(sentBytes), plan.namespace, plan.name));
  } catch (error) {
    signal.throwIfAborted();
    if (error instanceof ContextReadError) throw new Error(loc('ContextReadFailed', contextDir, error.message), { cause: error });
    throw new Error(loc('StreamFailed', plan.namespace, plan.name, describeApiError(error)), { cause: error });
  }
}
