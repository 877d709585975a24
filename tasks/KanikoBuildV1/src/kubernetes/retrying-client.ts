// A ClusterApi that sends each plain call again after a failure the API server may recover from
// (see retry.ts), and logs each retry. Watches, log streams and attach pass through: their
// callers reconnect themselves, and an attach cannot be repeated because its input stream is spent.
import type { V1Pod, V1Secret } from '@kubernetes/client-node';
import { loc } from '../messages';
import type { ClusterApi } from './client';
import { apiErrorInfo } from './errors';
import { callWithRetries, type RetryClock, type RetryNotice, type RetryPolicy } from './retry';

export interface RetryingOptions {
  /** The run's signal. It stops retries and aborts requests, except in calls that pass a signal of their own. */
  signal: AbortSignal;
  policy?: RetryPolicy;
  clock?: RetryClock;
}

/** Wraps `api` so that its plain calls retry. */
export function withRetries(api: ClusterApi, options: RetryingOptions): ClusterApi {
  const retry = <T>(description: string, call: (signal: AbortSignal, attempt: number) => Promise<T>, callSignal?: AbortSignal): Promise<T> => {
    const signal = callSignal ?? options.signal;
    return callWithRetries((attempt) => call(signal, attempt), {
      description, signal, onRetry: logRetry, policy: options.policy, clock: options.clock,
    });
  };
  return {
    server: api.server,
    serverVersion: (signal) => retry('GET /version', (inner) => api.serverVersion(inner), signal),
    createSecret: (secret, signal) => {
      const { namespace, name } = names(secret);
      const description = `create Secret ${namespace}/${name}`;
      return retry(description, (inner, attempt) => createOnce(description, attempt,
        () => api.createSecret(secret, inner), () => api.readSecret(namespace, name, inner)), signal);
    },
    readSecret: (namespace, name, signal) => retry(`read Secret ${namespace}/${name}`, (inner) => api.readSecret(namespace, name, inner), signal),
    patchSecret: (namespace, name, patch, signal) =>
      retry(`patch Secret ${namespace}/${name}`, (inner) => api.patchSecret(namespace, name, patch, inner), signal),
    deleteSecret: (namespace, name, signal) =>
      retry(`delete Secret ${namespace}/${name}`, (inner) => api.deleteSecret(namespace, name, inner), signal),
    listSecrets: (namespace, labelSelector, signal) =>
      retry(`list Secrets in ${namespace}`, (inner) => api.listSecrets(namespace, labelSelector, inner), signal),
    createPod: (pod, signal) => {
      const { namespace, name } = names(pod);
      const description = `create pod ${namespace}/${name}`;
      return retry(description, (inner, attempt) => createOnce(description, attempt,
        () => api.createPod(pod, inner), () => api.readPod(namespace, name, inner)), signal);
    },
    dryRunPod: (pod, signal) => {
      const { namespace, name } = names(pod);
      return retry(`check pod ${namespace}/${name} with a dry run`, (inner) => api.dryRunPod(pod, inner), signal);
    },
    readPod: (namespace, name, signal) => retry(`read pod ${namespace}/${name}`, (inner) => api.readPod(namespace, name, inner), signal),
    deletePod: (namespace, name, signal) => retry(`delete pod ${namespace}/${name}`, (inner) => api.deletePod(namespace, name, inner), signal),
    listPods: (namespace, labelSelector, signal) =>
      retry(`list pods in ${namespace}`, (inner) => api.listPods(namespace, labelSelector, inner), signal),
    createNamespace: (namespace, signal) => {
      const name = namespace.metadata?.name ?? '';
      const description = `create namespace ${name}`;
      // The API offers no read of a namespace here, and the request carries everything the run uses of it.
      return retry(description, (inner, attempt) => createOnce(description, attempt,
        () => api.createNamespace(namespace, inner), async () => namespace), signal);
    },
    listNamespaces: (labelSelector, signal) => retry('list namespaces', (inner) => api.listNamespaces(labelSelector, inner), signal),
    deleteNamespace: (name, signal) => retry(`delete namespace ${name}`, (inner) => api.deleteNamespace(name, inner), signal),
    listPodEvents: (namespace, podName, signal) =>
      retry(`list the events of pod ${namespace}/${podName}`, (inner) => api.listPodEvents(namespace, podName, inner), signal),
    readServiceAccount: (namespace, name, signal) =>
      retry(`read service account ${namespace}/${name}`, (inner) => api.readServiceAccount(namespace, name, inner), signal),
    reviewAccess: (attributes, signal) => retry(`review access to ${attributes.verb ?? ''} ${attributes.resource ?? ''}`,
      (inner) => api.reviewAccess(attributes, inner), signal),
    watchPod: (...args) => api.watchPod(...args),
    attachStdin: (...args) => api.attachStdin(...args),
    streamLog: (...args) => api.streamLog(...args),
  };
}

/**
 * Creates an object. An attempt after the first one may find the object already there: the
 * earlier attempt created it before its connection dropped. Every name a run creates ends in a
 * random suffix, so that object is the run's own and is read back instead of failing the run.
 */
async function createOnce<T>(description: string, attempt: number, create: () => Promise<T>, readBack: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (attempt === 1 || apiErrorInfo(error).reason !== 'AlreadyExists') throw error;
    console.log(loc('CreatedByEarlierAttempt', description));
    return readBack();
  }
}

function logRetry(notice: RetryNotice): void {
  const seconds = (notice.delayMs / 1000).toFixed(1);
  console.log(loc('RetryingRequest', notice.description, notice.reason, seconds, notice.nextAttempt, notice.maxAttempts));
}

function names(object: V1Secret | V1Pod): { namespace: string; name: string } {
  return { namespace: object.metadata?.namespace ?? '', name: object.metadata?.name ?? '' };
}
