// Finds what runs of one pipeline job left behind: pods and Secrets in the build namespace and
// namespaces that carry the job's label, and context blobs whose metadata names the job.
import { ApiException } from '@kubernetes/client-node';
import * as tl from 'azure-pipelines-task-lib/task';
import type { DeleteAction } from '../cleanup';
import type { ClusterApi } from '../kubernetes/client';
import { describeApiError } from '../kubernetes/errors';
import { loc } from '../messages';
import { BLOB_JOB_METADATA } from '../plan/names';
import type { StorageSettings } from '../settings/types';
import type { ContextStore } from '../storage/blob-store';
import { describeStorageError } from '../storage/errors';

const HTTP_FORBIDDEN = 403;
/** Every run name, and so every context blob name, starts with this (plan/names.ts). */
const BLOB_PREFIX = 'kaniko-';

/** An object to delete, such as `pod builds/kaniko-4711-ab12cd34`. */
export interface Leftover {
  description: string;
  remove: DeleteAction;
}

export interface JobScope {
  jobId: string;
  /** The label selector of the job's Kubernetes objects. */
  selector: string;
  /** The build namespace from the inputs, or the prefix of the namespaces that the build step creates. */
  namespace: string;
  /** Whether the build step creates a namespace per build (the createNamespace input). */
  createsNamespaces: boolean;
}

/**
 * Lists the job's objects in the cluster and in storage. A list that fails is a warning and
 * counts as empty, so that the others are still cleaned up.
 */
export async function findLeftovers(
  cluster: ClusterApi, storage: { settings: StorageSettings; store: ContextStore } | undefined, scope: JobScope, signal: AbortSignal,
): Promise<Leftover[]> {
  const { namespace, selector } = scope;
  const found = await Promise.all([
    listOrWarn(`pods in namespace ${namespace}`, scope, async () => (await cluster.listPods(namespace, selector, signal)).map((pod) => {
      const name = pod.metadata?.name ?? '';
      return { description: `pod ${namespace}/${name}`, remove: (deadline: AbortSignal) => cluster.deletePod(namespace, name, deadline) };
    })),
    listOrWarn(`Secrets in namespace ${namespace}`, scope, async () => (await cluster.listSecrets(namespace, selector, signal)).map((secret) => {
      const name = secret.metadata?.name ?? '';
      return { description: `Secret ${namespace}/${name}`, remove: (deadline: AbortSignal) => cluster.deleteSecret(namespace, name, deadline) };
    })),
    findNamespaces(cluster, scope, signal),
    storage ? listOrWarn(`context blobs in ${storage.settings.container}`, scope, () => findBlobs(storage, scope.jobId, signal)) : [],
  ]);
  return found.flat();
}

/**
 * Lists namespaces with the job's label. Listing namespaces needs a ClusterRole, which a
 * connection that builds in one namespace does not have, so there a 403 only skips this list.
 */
async function findNamespaces(cluster: ClusterApi, scope: JobScope, signal: AbortSignal): Promise<Leftover[]> {
  try {
    const namespaces = await cluster.listNamespaces(scope.selector, signal);
    return namespaces.map((namespace) => {
      const name = namespace.metadata?.name ?? '';
      return { description: `namespace ${name}`, remove: (deadline: AbortSignal) => cluster.deleteNamespace(name, deadline) };
    });
  } catch (error) {
    signal.throwIfAborted();
    if (error instanceof ApiException && error.code === HTTP_FORBIDDEN && !scope.createsNamespaces) {
      tl.debug(`Not looking for namespaces of job ${scope.jobId}: ${describeApiError(error)}`);
      return [];
    }
    tl.warning(loc('PostListFailed', 'namespaces', scope.jobId, describeApiError(error), scope.selector));
    return [];
  }
}

async function findBlobs(storage: { settings: StorageSettings; store: ContextStore }, jobId: string, signal: AbortSignal): Promise<Leftover[]> {
  const { account, container } = storage.settings;
  const blobs = await storage.store.list(BLOB_PREFIX, signal);
  return blobs
    .filter((blob) => blob.metadata[BLOB_JOB_METADATA] === jobId)
    .map((blob) => ({
      description: `blob ${container}/${blob.name} in storage account ${account}`,
      remove: async (deadline: AbortSignal) => {
        await storage.store.delete(blob.name, deadline).catch((error: unknown) => {
          throw new Error(describeStorageError(error), { cause: error });
        });
      },
    }));
}

async function listOrWarn(what: string, scope: JobScope, list: () => Promise<Leftover[]>): Promise<Leftover[]> {
  try {
    return await list();
  } catch (error) {
    const reason = error instanceof ApiException ? describeApiError(error) : describeStorageError(error);
    tl.warning(loc('PostListFailed', what, scope.jobId, reason, scope.selector));
    return [];
  }
}
