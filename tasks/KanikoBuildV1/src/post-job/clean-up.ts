// The post-job step, which the agent runs after every job that has this task, also after a
// failed or canceled one. A build step that was killed before its own cleanup (the agent's
// machine died, or the step ignored the cancel for 10 s) leaves its pod, Secrets and blob
// behind. This step finds them by the job's label and blob metadata and deletes them.
import * as tl from 'azure-pipelines-task-lib/task';
import { Cleanup, CLEANUP_DONE_VARIABLE } from '../cleanup';
import { createClusterApi } from '../kubernetes/client';
import { withRetries } from '../kubernetes/retrying-client';
import { loc } from '../messages';
import { resolveKubeconfig } from '../phases/resolve-cluster';
import { jobSelector } from '../plan/names';
import { parseSettings } from '../settings/parse';
import { readRun } from '../settings/read';
import type { Settings } from '../settings/types';
import { createBlobStore } from '../storage/blob-store';
import { findLeftovers } from './leftovers';

/** Deletes what runs of this job left, and prints what it deleted or that nothing was left. */
export async function cleanUpAfterJob(signal: AbortSignal): Promise<void> {
  // A build step that deleted everything it created records that; then there is nothing to look for.
  if (tl.getTaskVariable(CLEANUP_DONE_VARIABLE) === 'true') {
    console.log(loc('PostCleanupNotNeeded'));
    return;
  }

  // Read the same inputs as the build step. Inputs that are not valid here mean that the build
  // step stopped before it created anything, so there is nothing to do.
  const settings = readSettings();
  if (!settings) return;
  const selector = jobSelector(settings.run.jobId);
  if (!selector) {
    tl.debug('The job has no System.JobId, so its objects cannot be told from those of other jobs; nothing is deleted.');
    return;
  }

  // Look for the job's objects in the cluster and in storage.
  const kubeconfig = await resolveKubeconfig(settings.cluster, signal);
  const cluster = withRetries(createClusterApi(kubeconfig), { signal });
  const storage = settings.storage ? { settings: settings.storage, store: createBlobStore(settings.storage) } : undefined;
  const scope = { jobId: settings.run.jobId, selector, namespace: settings.pod.namespace, createsNamespaces: !!settings.pod.createNamespace };
  const leftovers = await findLeftovers(cluster, storage, scope, signal);
  if (leftovers.length === 0) {
    console.log(loc('PostNothingLeft', settings.run.jobId));
    return;
  }

  // Delete them all in parallel, each with its own time limit.
  console.log(loc('PostDeleting', leftovers.length, settings.run.jobId));
  const cleanup = new Cleanup();
  for (const leftover of leftovers) cleanup.add(leftover.description, leftover.remove);
  await cleanup.runAll();
}

function readSettings(): Settings | undefined {
  try {
    return parseSettings(readRun({ warnings: false }));
  } catch (error) {
    tl.debug(`Post-job cleanup skipped, because the inputs are not valid: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
