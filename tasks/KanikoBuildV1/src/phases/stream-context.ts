// Packs the build context and streams it into kaniko's stdin through the attach API, for the
// `direct` delivery, which needs no storage account.
import { packContext } from '../context/archive';
import { listContextEntries } from '../context/files';
import type { ClusterApi } from '../kubernetes/client';
import { describeApiError } from '../kubernetes/errors';
import { loc } from '../messages';
import type { BuildPlan } from '../plan/plan';
import { KANIKO_CONTAINER } from '../plan/pod';
import type { Settings } from '../settings/types';
import { formatBytes } from './upload-context';

/** Streams the archive once the kaniko container runs; throws a message that names the pod when the stream breaks. */
export async function streamContext(api: ClusterApi, settings: Settings, plan: BuildPlan, signal: AbortSignal): Promise<void> {
  const { contextDir, dockerfile } = settings.build;
  console.log(loc('StreamingContext', contextDir, plan.namespace, plan.name));
  try {
    const entries = await listContextEntries(contextDir, dockerfile);
    const archive = packContext(entries);
    const [sentBytes, stats] = await Promise.all([
      api.attachStdin(plan.namespace, plan.name, KANIKO_CONTAINER, archive.stream, signal),
      archive.done,
    ]);
    console.log(loc('Streamed', stats.files, formatBytes(stats.contentBytes), formatBytes(sentBytes), plan.namespace, plan.name));
  } catch (error) {
    signal.throwIfAborted();
    throw new Error(loc('StreamFailed', plan.namespace, plan.name, describeApiError(error)), { cause: error });
  }
}
