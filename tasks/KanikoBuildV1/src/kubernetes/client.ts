// The Kubernetes API calls a run makes, behind a narrow interface.
import {
  AuthorizationV1Api, CoreV1Api, KubeConfig, Log, VersionApi, Watch, type CoreV1Event, type V1Namespace, type V1Pod,
  type V1ResourceAttributes, type V1Secret, type V1ServiceAccount,
} from '@kubernetes/client-node';
import type { Readable, Writable } from 'node:stream';
import { writeToStdin } from './attach';
import { isNotFound } from './errors';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface ClusterApi {
  /** The API server's URL, for messages. */
  readonly server: string;
  /** Returns the server's Kubernetes version, such as `v1.34.1`. */
  serverVersion(): Promise<string>;
  createSecret(secret: V1Secret): Promise<V1Secret>;
  /** Deletes the Secret; one that is already gone is not an error. */
  deleteSecret(namespace: string, name: string): Promise<void>;
  createPod(pod: V1Pod): Promise<V1Pod>;
  readPod(namespace: string, name: string): Promise<V1Pod>;
  /** Deletes the pod with a short grace period; one that is already gone is not an error. */
  deletePod(namespace: string, name: string): Promise<void>;
  listPodEvents(namespace: string, podName: string): Promise<CoreV1Event[]>;
  readServiceAccount(namespace: string, name: string): Promise<V1ServiceAccount>;
  createNamespace(namespace: V1Namespace): Promise<V1Namespace>;
  /** Deletes the namespace and, through the namespace controller, everything in it; one already gone is not an error. */
  deleteNamespace(name: string): Promise<void>;
  /** Asks with a SelfSubjectAccessReview whether the connection's identity may do `attributes`. */
  reviewAccess(attributes: V1ResourceAttributes): Promise<boolean>;
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
  /** Streams a container's log (with timestamps) into `sink`; returns a controller that stops it. */
  streamLog(namespace: string, pod: string, container: string, sink: Writable, sinceTime?: string): Promise<AbortController>;
}

const DELETE_GRACE_SECONDS = 2;

export function createClusterApi(kubeconfig: string): ClusterApi {
  const config = new KubeConfig();
  config.loadFromString(kubeconfig);
  const core = config.makeApiClient(CoreV1Api);
  const log = new Log(config);
  const watch = new Watch(config);
  const version = config.makeApiClient(VersionApi);
  const authorization = config.makeApiClient(AuthorizationV1Api);
  return {
    server: config.getCurrentCluster()?.server ?? '',
    serverVersion: async () => (await version.getCode()).gitVersion,
    createSecret: (secret) => core.createNamespacedSecret({ namespace: secret.metadata!.namespace!, body: secret }),
    deleteSecret: (namespace, name) => ignoreNotFound(core.deleteNamespacedSecret({ namespace, name })),
    createPod: (pod) => core.createNamespacedPod({ namespace: pod.metadata!.namespace!, body: pod }),
    readPod: (namespace, name) => core.readNamespacedPod({ namespace, name }),
    deletePod: (namespace, name) =>
      ignoreNotFound(core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: DELETE_GRACE_SECONDS })),
    listPodEvents: async (namespace, podName) => {
      const list = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${podName}` });
      return list.items;
    },
    readServiceAccount: (namespace, name) => core.readNamespacedServiceAccount({ namespace, name }),
    createNamespace: (namespace) => core.createNamespace({ body: namespace }),
    deleteNamespace: (name) => ignoreNotFound(core.deleteNamespace({ name })),
    reviewAccess: async (attributes) => {
      const body = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: attributes } };
      const review = await authorization.createSelfSubjectAccessReview({ body });
      return review.status?.allowed === true;
    },
    attachStdin: (namespace, pod, container, source, signal) => writeToStdin(config, { namespace, pod, container }, source, signal),
    watchPod: (namespace, name, resourceVersion, onEvent, signal) =>
      watchOnePod(watch, { namespace, name, resourceVersion, onEvent, signal }),
    streamLog: (namespace, pod, container, sink, sinceTime) =>
      log.log(namespace, pod, container, sink, { follow: true, timestamps: true, sinceTime }),
  };
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
  const controller = await watch.watch(
    `/api/v1/namespaces/${encodeURIComponent(request.namespace)}/pods`,
    {
      fieldSelector: `metadata.name=${request.name}`,
      resourceVersion: request.resourceVersion,
      allowWatchBookmarks: true,
    },
    (type, object) => request.onEvent(type as WatchEventType, object),
    (error) => finish(error),
  );
  const abort = (): void => controller.abort();
  request.signal.addEventListener('abort', abort, { once: true });
  if (request.signal.aborted) abort();
  try {
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
