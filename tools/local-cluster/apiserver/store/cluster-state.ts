// The state of the local cluster behind the API server: objects, container logs, the service
// account token issuer, the optional workload identity webhook and the pod lifecycle listener
// (the kubelet). It implements the ClusterStore contract through which the kubelet reads pods
// and reports back.
import type { V1Pod, V1PodStatus, V1Secret, V1ServiceAccount } from '@kubernetes/client-node';
import type { ClusterStore, PodLifecycleListener, ServiceAccountTokenRequest } from '../../contract';
import type { WorkloadIdentityWebhookSettings } from '../admission/workload-identity-webhook';
import { GarbageCollector } from '../controllers/garbage-collector';
import type { JsonObject } from '../decode/decode';
import { recordNodeEvent, recordPodEvent } from '../registry/events';
import { createNamespaceObject } from '../registry/namespaces';
import { finalizePodDeletion } from '../registry/pods';
import { LogStore } from './log-store';
import { metadataOf, ObjectStore } from './object-store';
import type { ServiceAccountTokenIssuer } from './service-account-tokens';
import { toWire, typedPod, typedSecret, typedServiceAccount } from './wire';

export interface ClusterStateOptions {
  /** How many changes per resource the watch history keeps. */
  watchHistorySize: number;
  tokenIssuer: ServiceAccountTokenIssuer;
  /** How long after a namespace is created through the API its `default` ServiceAccount appears, in milliseconds. */
  serviceAccountDelayMs?: number;
  /** Time from a change to the garbage collector's sweep, in milliseconds. */
  garbageCollectionDelayMs: number;
}

/** The uid of the local cluster's only node, for the node claim of service account tokens. */
const NODE_UID = '5b0c7a52-0000-4000-8000-000000000001';

/** Namespaces that every cluster has from the start. */
const INITIAL_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

export class ClusterState implements ClusterStore {
  readonly objects: ObjectStore;
  readonly logs = new LogStore();
  /** The kubelet, or a test's stand-in; without one, deleted pods go at once. */
  listener?: PodLifecycleListener;
  /** Set once the Azure workload identity webhook is installed; pods labelled for it are then mutated. */
  workloadIdentityWebhook?: WorkloadIdentityWebhookSettings;
  readonly tokenIssuer: ServiceAccountTokenIssuer;
  /**
   * How long the service account controller takes to create `default` in a namespace created
   * through the API, in milliseconds; 0 creates it with the namespace.
   */
  readonly serviceAccountDelayMs: number;
  /** Deletes objects whose owners are gone; stopped with the server. */
  readonly garbageCollector: GarbageCollector;

  constructor(options: ClusterStateOptions) {
    this.objects = new ObjectStore(options.watchHistorySize);
    this.tokenIssuer = options.tokenIssuer;
    this.serviceAccountDelayMs = options.serviceAccountDelayMs ?? 0;
    this.garbageCollector = new GarbageCollector(this, options.garbageCollectionDelayMs);
    this.objects.onChange = () => this.garbageCollector.schedule();
    for (const name of INITIAL_NAMESPACES) createNamespaceObject(this, { metadata: { name } }, false, { serviceAccountDelayMs: 0 });
  }

  getServiceAccount(namespace: string, name: string): V1ServiceAccount | undefined {
    const serviceAccount = this.objects.get('serviceaccounts', namespace, name);
    return serviceAccount ? typedServiceAccount(serviceAccount) : undefined;
  }

  requestServiceAccountToken(request: ServiceAccountTokenRequest): { token: string } | { error: string } {
    const serviceAccount = this.objects.get('serviceaccounts', request.namespace, request.serviceAccountName);
    if (!serviceAccount) return { error: `serviceaccounts ${JSON.stringify(request.serviceAccountName)} not found` };
    const subject = {
      namespace: request.namespace,
      serviceAccount: { name: request.serviceAccountName, uid: metadataOf(serviceAccount).uid },
      pod: { name: request.podName, uid: request.podUid },
      node: { name: request.nodeName, uid: NODE_UID },
    };
    return { token: this.tokenIssuer.issue(subject, request.audience, request.expirationSeconds) };
  }

  getPod(namespace: string, name: string): V1Pod | undefined {
    const pod = this.objects.get('pods', namespace, name);
    return pod ? typedPod(pod) : undefined;
  }

  getSecret(namespace: string, name: string): V1Secret | undefined {
    const secret = this.objects.get('secrets', namespace, name);
    return secret ? typedSecret(secret) : undefined;
  }

  updatePodStatus(namespace: string, name: string, status: V1PodStatus, nodeName?: string): void {
    const pod = this.objects.get('pods', namespace, name);
    if (!pod) return;
    const previous = (pod.status ?? {}) as JsonObject;
    const next = toWire(status);
    // The QoS class is decided at creation; a status update cannot change or drop it.
    next.qosClass = previous.qosClass;
    pod.status = next;
    if (nodeName) (pod.spec as JsonObject).nodeName = nodeName;
    this.objects.replace('pods', pod);
  }

  appendLog(namespace: string, pod: string, container: string, line: string): void {
    if (!this.objects.get('pods', namespace, pod)) return;
    this.logs.append(namespace, pod, container, line);
  }

  endLog(namespace: string, pod: string, container: string): void {
    this.logs.end(namespace, pod, container);
  }

  recordEvent(namespace: string, pod: string, type: 'Normal' | 'Warning', reason: string, message: string): void {
    recordPodEvent(this, namespace, pod, type, reason, message);
  }

  recordNodeEvent(node: string, component: string, type: 'Normal' | 'Warning', reason: string, message: string): void {
    recordNodeEvent(this, node, component, type, reason, message);
  }

  finalizePodDeletion(namespace: string, name: string): void {
    finalizePodDeletion(this, namespace, name);
  }

  /** Returns the namespace object, or undefined when it does not exist. */
  namespace(name: string): JsonObject | undefined {
    return this.objects.get('namespaces', '', name);
  }

  isTerminating(namespace: string): boolean {
    const object = this.namespace(namespace);
    return object !== undefined && metadataOf(object).deletionTimestamp !== undefined;
  }
}
