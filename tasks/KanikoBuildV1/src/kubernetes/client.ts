// The Kubernetes API calls a run makes, behind a narrow interface.
import {
  AuthorizationV1Api, CoreV1Api, KubeConfig, Observable, PatchStrategy, setHeaderOptions, VersionApi, Watch,
  type ConfigurationOptions, type CoreV1Event, type ObservableMiddleware, type V1Namespace, type V1Pod,
  type V1ResourceAttributes, type V1Secret, type V1ServiceAccount,
} from '@kubernetes/client-node';
import type { Readable, Writable } from 'node:stream';
import { writeToStdin } from './attach';
import { isNotFound } from './errors';
import { openLogStream } from './log-stream';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/**
 * The calls of a run. A call's optional `signal` aborts its request; without one the request
 * runs to its end.
 */
export interface ClusterApi {
  /** The API server's URL, for messages. */
  readonly server: string;
  /** Returns the server's Kubernetes version, such as `v1.34.1`. */
  serverVersion(signal?: AbortSignal): Promise<string>;
  createSecret(secret: V1Secret, signal?: AbortSignal): Promise<V1Secret>;
  readSecret(namespace: string, name: string, signal?: AbortSignal): Promise<V1Secret>;
  /** Applies a JSON merge patch (RFC 7386) to the Secret and returns the result. */
  patchSecret(namespace: string, name: string, patch: object, signal?: AbortSignal): Promise<V1Secret>;
  /** Deletes the Secret; one that is already gone is not an error. */
  deleteSecret(namespace: string, name: string, signal?: AbortSignal): Promise<void>;
  /** Lists the Secrets of the namespace that match a label selector such as `app=web`. */
  listSecrets(namespace: string, labelSelector: string, signal?: AbortSignal): Promise<V1Secret[]>;
  createPod(pod: V1Pod, signal?: AbortSignal): Promise<V1Pod>;
  /** Sends the create of the pod with dryRun=All: the server validates and admits it, and stores nothing. */
  dryRunPod(pod: V1Pod, signal?: AbortSignal): Promise<V1Pod>;
  readPod(namespace: string, name: string, signal?: AbortSignal): Promise<V1Pod>;
  /** Deletes the pod with a short grace period; one that is already gone is not an error. */
  deletePod(namespace: string, name: string, signal?: AbortSignal): Promise<void>;
  /** Lists the pods of the namespace that match a label selector. */
  listPods(namespace: string, labelSelector: string, signal?: AbortSignal): Promise<V1Pod[]>;
  createNamespace(namespace: V1Namespace, signal?: AbortSignal): Promise<V1Namespace>;
  /** Lists the namespaces that match a label selector; this needs `list` on namespaces at the cluster scope. */
  listNamespaces(labelSelector: string, signal?: AbortSignal): Promise<V1Namespace[]>;
  /** Deletes the namespace and, through the namespace controller, everything in it; one already gone is not an error. */
  deleteNamespace(name: string, signal?: AbortSignal): Promise<void>;
  listPodEvents(namespace: string, podName: string, signal?: AbortSignal): Promise<CoreV1Event[]>;
  readServiceAccount(namespace: string, name: string, signal?: AbortSignal): Promise<V1ServiceAccount>;
  /** Asks with a SelfSubjectAccessReview whether the connection's identity may do `attributes`. */
  reviewAccess(attributes: V1ResourceAttributes, signal?: AbortSignal): Promise<boolean>;
  /**
   * Watches one pod from `resourceVersion` until the server ends the watch or `signal` aborts.
   * Resolves when the watch ends; rejects when it could not start.
   */
  watchPod(
    namespace: string, name: string, resourceVersion: string | undefined,
    onEvent: (type: WatchEventType, object: unknown) => void, signal: AbortSignal,
  ): Promise<void>;
  /** Writes `source` into a running container's stdin through the attach API and ends it; returns the bytes sent. */
  attachStdin(namespace: string, pod: string, container: string, source: Readable, signal: AbortSignal): Promise<number>;
  /**
   * Streams a container's log (with timestamps) into `sink`; returns a controller that stops it.
   * `signal` aborts the request also before the server has sent its response headers.
   */
  streamLog(
    namespace: string, pod: string, container: string, sink: Writable, sinceTime?: string, signal?: AbortSignal,
  ): Promise<AbortController>;
}

const DELETE_GRACE_SECONDS = 2;

export function createClusterApi(kubeconfig: string): ClusterApi {
  const config = new KubeConfig();
  config.loadFromString(kubeconfig);
  const core = config.makeApiClient(CoreV1Api);
  const watch = new Watch(config);
  const version = config.makeApiClient(VersionApi);
  const authorization = config.makeApiClient(AuthorizationV1Api);
  return {
    server: config.getCurrentCluster()?.server ?? '',
    serverVersion: async (signal) => (await version.getCode(requestOptions(signal))).gitVersion,
    createSecret: (secret, signal) => core.createNamespacedSecret({ namespace: secret.metadata!.namespace!, body: secret }, requestOptions(signal)),
    readSecret: (namespace, name, signal) => core.readNamespacedSecret({ namespace, name }, requestOptions(signal)),
    patchSecret: (namespace, name, patch, signal) =>
      core.patchNamespacedSecret({ namespace, name, body: patch }, requestOptions(signal, PatchStrategy.MergePatch)),
    deleteSecret: (namespace, name, signal) => ignoreNotFound(core.deleteNamespacedSecret({ namespace, name }, requestOptions(signal))),
    listSecrets: async (namespace, labelSelector, signal) =>
      (await core.listNamespacedSecret({ namespace, labelSelector }, requestOptions(signal))).items,
    createPod: (pod, signal) => core.createNamespacedPod({ namespace: pod.metadata!.namespace!, body: pod }, requestOptions(signal)),
    dryRunPod: (pod, signal) =>
      core.createNamespacedPod({ namespace: pod.metadata!.namespace!, body: pod, dryRun: 'All' }, requestOptions(signal)),
    readPod: (namespace, name, signal) => core.readNamespacedPod({ namespace, name }, requestOptions(signal)),
    deletePod: (namespace, name, signal) =>
      ignoreNotFound(core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: DELETE_GRACE_SECONDS }, requestOptions(signal))),
    listPods: async (namespace, labelSelector, signal) =>
      (await core.listNamespacedPod({ namespace, labelSelector }, requestOptions(signal))).items,
    listNamespaces: async (labelSelector, signal) => (await core.listNamespace({ labelSelector }, requestOptions(signal))).items,
    deleteNamespace: (name, signal) => ignoreNotFound(core.deleteNamespace({ name }, requestOptions(signal))),
    listPodEvents: async (namespace, podName, signal) => {
      const list = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${podName}` }, requestOptions(signal));
      return list.items;
    },
    readServiceAccount: (namespace, name, signal) => core.readNamespacedServiceAccount({ namespace, name }, requestOptions(signal)),
    createNamespace: (namespace, signal) => core.createNamespace({ body: namespace }, requestOptions(signal)),
    reviewAccess: async (attributes, signal) => {
      const body = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: attributes } };
      const review = await authorization.createSelfSubjectAccessReview({ body }, requestOptions(signal));
      return review.status?.allowed === true;
    },
    attachStdin: (namespace, pod, container, source, signal) => writeToStdin(config, { namespace, pod, container }, source, signal),
    watchPod: (namespace, name, resourceVersion, onEvent, signal) =>
      watchOnePod(watch, { namespace, name, resourceVersion, onEvent, signal }),
    streamLog: (namespace, pod, container, sink, sinceTime, signal) =>
      openLogStream(config, { namespace, pod, container }, sink, sinceTime, signal),
  };
}

/** Per-request options of client-node: the abort signal, and the Content-Type of a patch. */
function requestOptions(signal?: AbortSignal, contentType?: string): ConfigurationOptions<ObservableMiddleware> | undefined {
  let options: ConfigurationOptions<ObservableMiddleware> | undefined;
  if (signal) {
    const attachSignal: ObservableMiddleware = {
      pre: (context) => {
        context.setSignal(signal);
        return new Observable(Promise.resolve(context));
      },
      post: (response) => new Observable(Promise.resolve(response)),
    };
    options = { middleware: [attachSignal], middlewareMergeStrategy: 'append' };
  }
  return contentType ? setHeaderOptions('Content-Type', contentType, options) : options;
}

interface WatchRequest {
  namespace: string;
  name: string;
  resourceVersion?: string;
  onEvent: (type: WatchEventType, object: unknown) => void;
  signal: AbortSignal;
}

async function watchOnePod(watch: Watch, request: WatchRequest): Promise<void> {
  let finish: (error?: unknown) => void = () => undefined;
  const ended = new Promise<void>((resolve, reject) => {
    finish = (error) => (error && !request.signal.aborted ? reject(error) : resolve());
  });
  // Watch.watch returns the request's controller only once the response headers arrived, which
  // a slow server or proxy can delay. An abort before then ends the watch here at once and stops
  // the request as soon as its controller exists.
  let controller: AbortController | undefined;
  const abort = (): void => {
    controller?.abort();
    finish();
  };
  request.signal.addEventListener('abort', abort, { once: true });
  try {
    if (request.signal.aborted) return;
    const started = watch.watch(
      `/api/v1/namespaces/${encodeURIComponent(request.namespace)}/pods`,
      {
        fieldSelector: `metadata.name=${request.name}`,
        resourceVersion: request.resourceVersion,
        allowWatchBookmarks: true,
      },
      (type, object) => request.onEvent(type as WatchEventType, object),
      (error) => finish(error),
    );
    started.then((created) => {
      controller = created;
      if (request.signal.aborted) created.abort();
    }, (error: unknown) => finish(error));
    await ended;
  } finally {
    request.signal.removeEventListener('abort', abort);
  }
}

async function ignoreNotFound(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
