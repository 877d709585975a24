// Lists the build context and, when uploaded contexts are kept, reads it once for the SHA-256
// that names its blob. Both need no network, so the run starts this at once and lets it
// overlap with the calls to Azure and the cluster.
import type { PackedArchive } from '../context/archive';
import { listContextEntries, type ContextEntry } from '../context/files';
import { loc } from '../messages';
import type { Settings } from '../settings/types';

export interface ContextListing {
  entries: ContextEntry[];
  /** The tar's SHA-256 and size; only when the archive goes to a kept blob. */
  digest?: PackedArchive;
}

export async function readContext(settings: Pick<Settings, 'build' | 'context' | 'storage'>): Promise<ContextListing> {
  const { contextDir, dockerfile } = settings.build;
  try {
    const entries = await listContextEntries(contextDir, dockerfile);
    if (!settings.storage || settings.context.retentionDays === 0) return { entries };
    // Loaded here rather than at start-up, so that the task's first log line does not wait for the archive code.
    const { digestContext } = await import('../context/archive');
    return { entries, digest: await digestContext(entries, { mtime: settings.context.mtime }) };
  } catch (error) {
    throw new Error(loc('ContextReadFailed', contextDir, (error as Error).message), { cause: error });
  }
}
