// The contract between the local cluster's API server (apiserver/) and its kubelet
// emulation (kubelet/). The API server owns every object and its resourceVersion. The
// kubelet reads pods and Secrets through this interface and reports status, log lines and
// events back through it, as a real kubelet does through the API server.
// client-node 1.x names the core/v1 Event type CoreV1Event; V1Event is kept as the alias here.
import type { CoreV1Event as V1Event, V1ObjectMeta, V1Pod, V1PodStatus, V1Secret, V1ServiceAccount } from '@kubernetes/client-node';

export type ObjectKind = 'namespaces' | 'secrets' | 'serviceaccounts' | 'pods' | 'events';

/** The kubelet's view of the cluster. Every method is synchronous and in memory. */
export interface ClusterStore {
  /** Returns a deep copy of the pod, or undefined when it does not exist (or was deleted). */
  getPod(namespace: string, name: string): V1Pod | undefined;

  /** Returns a deep copy of the Secret, or undefined when it does not exist. */
  getSecret(namespace: string, name: string): V1Secret | undefined;

  /**
   * Issues a service account token for a pod's projected `serviceAccountToken` volume, as the
   * TokenRequest API (`POST .../serviceaccounts/NAME/token`) does for the kubelet. Returns the
   * signed JWT, or the API's error message when the service account does not exist.
   */
  requestServiceAccountToken(request: ServiceAccountTokenRequest): { token: string } | { error: string };

  /**
   * Replaces the pod's status (and spec.nodeName when given), bumps its resourceVersion and
   * sends a MODIFIED event to watchers. Does nothing when the pod no longer exists.
   */
  updatePodStatus(namespace: string, name: string, status: V1PodStatus, nodeName?: string): void;

  /**
   * Appends one line (without its newline) to a container's log. The server stamps it with
   * the current time for `timestamps=true` and `sinceTime`, and sends it to followers.
   */
  appendLog(namespace: string, pod: string, container: string, line: string): void;

  /** Marks the container's log as complete: follow streams end after the last line. */
  endLog(namespace: string, pod: string, container: string): void;

  /** Records an Event about the pod (reason such as Scheduled, Pulled, Started, Failed). */
  recordEvent(namespace: string, pod: string, type: 'Normal' | 'Warning', reason: string, message: string): void;

  /**
   * Records an Event about the node, as node agents such as node-problem-detector do (reason such
   * as OOMKilling). `component` is the event's source component, such as `kernel-monitor`.
   */
  recordNodeEvent(node: string, component: string, type: 'Normal' | 'Warning', reason: string, message: string): void;

  /** Removes the pod for good and sends DELETED to watchers (after the kubelet stopped it). */
  finalizePodDeletion(namespace: string, name: string): void;
}

export interface ServiceAccountTokenRequest {
  namespace: string;
  serviceAccountName: string;
  /** The projection's audience; empty means the API server's own audience (its issuer). */
  audience?: string;
  /** Requested lifetime; Kubernetes defaults it to 3600 seconds. */
  expirationSeconds?: number;
  /** The pod the token is bound to. */
  podName: string;
  podUid: string;
  nodeName: string;
}

/** The options of `GET/POST .../pods/NAME/attach` that reach the kubelet, with the container resolved. */
export interface ContainerAttachRequest {
  namespace: string;
  pod: string;
  container: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** The kubelet's reply to an attach: a session, or the HTTP status and plain-text error its attach endpoint sends. */
export type ContainerAttachResult =
  | { ok: true; session: AttachSession }
  | { ok: false; httpStatus: number; message: string };

/** One client attached to a running container's standard streams. */
export interface AttachSession {
  /** Passes data from the client's stdin to the container. */
  writeStdin(data: Buffer): void;
  /** Ends the client's stdin, as a closed stream or the `v5.channel.k8s.io` close signal does. */
  endStdin(): void;
  /** Sets the receiver of the container's output on the streams the client requested. */
  onOutput(receive: (stream: 'stdout' | 'stderr', data: Buffer) => void): void;
  /** Resolves when the attach is over: its output streams ended and its stdin copy finished. */
  readonly finished: Promise<void>;
  /** Ends the session because the client went away. */
  cancel(): void;
}

/** The calls the API server makes to the kubelet. */
export interface PodLifecycleListener {
  /** A pod was created and stored (status.phase Pending, no nodeName). */
  podCreated(pod: V1Pod): void;
  /**
   * A pod got a deletionTimestamp. The kubelet stops its containers within the grace
   * period, then calls finalizePodDeletion.
   */
  podDeleting(pod: V1Pod, gracePeriodSeconds: number): void;
  /**
   * Attaches to a container's standard streams, as the kubelet's `/attach` endpoint does for the
   * API server. A stand-in without this method has no containers to attach to.
   */
  attachContainer?(request: ContainerAttachRequest): ContainerAttachResult;
}

/** One pod the kubelet ran, kept for tests to read. */
export interface PodRunRecord {
  namespace: string;
  name: string;
  /** The pod as created, before any status. */
  pod: V1Pod;
  /** kaniko's arguments as the executor emulation received them. */
  args: string[];
  /** Paths of the regular files and symlinks in the build context the executor unpacked, sorted. */
  contextFiles: string[];
  /** The container's exit code, or undefined while running or when it never started. */
  exitCode?: number;
  /**
   * When the container terminated, in milliseconds. The pod's status shows the same time as
   * `finishedAt` with whole seconds, as the API's RFC 3339 times have.
   */
  finishedAt?: Date;
  /** The digest written to the termination message, when there was one. */
  digest?: string;
}

export type { V1Event, V1ObjectMeta, V1Pod, V1PodStatus, V1Secret, V1ServiceAccount };
