// Pod create and delete with the real API's order of checks and its graceful deletion:
// DELETE sets deletionTimestamp (MODIFIED), the kubelet stops the containers and calls
// finalizePodDeletion (DELETED). Pods that never got a node, or already ended, go at once.
import type { V1Pod } from '@kubernetes/client-node';
import { admitPod, generateName } from '../admission/pod-admission';
import { applyPodDefaults, computeQosClass } from '../admission/pod-defaults';
import { mutateForWorkloadIdentity } from '../admission/workload-identity-webhook';
import type { JsonObject } from '../decode/decode';
import { alreadyExists, invalid, notFound } from '../status';
import type { ClusterState } from '../store/cluster-state';
import { formatTime, metadataOf } from '../store/object-store';
import { typedPod } from '../store/wire';
import { validatePodCreate } from '../validation/pod';
import { checkPreconditions, type DeleteOptionsInput, rejectResourceVersionOnCreate } from './delete-options';
import { admitToNamespace, removeNamespaceIfEmpty } from './namespaces';

/**
 * Creates a pod from a decoded body whose namespace already matches `namespace`: defaults,
 * namespace and admission checks, name generation, validation, then storage. With
 * `dryRun` it runs every check and stores nothing.
 */
export function createPod(state: ClusterState, namespace: string, body: JsonObject, dryRun: boolean): JsonObject {
  const pod = body as V1Pod;
  const metadata = (pod.metadata ??= {});
  applyPodDefaults(pod);
  admitToNamespace(state, namespace, 'pods', metadata.name ?? '');
  admitPod(pod, { namespace, serviceAccount: (account) => state.getServiceAccount(namespace, account) });
  // Mutating admission webhooks run after the built-in mutating plugins.
  if (state.workloadIdentityWebhook) {
    mutateForWorkloadIdentity(pod, state.getServiceAccount(namespace, pod.spec!.serviceAccountName!)!, state.workloadIdentityWebhook);
  }
  if (!metadata.name && metadata.generateName) metadata.name = generateName(metadata.generateName);
  const spec = pod.spec ?? { containers: [] };
  pod.status = { phase: 'Pending', qosClass: computeQosClass(spec) };
  const name = metadata.name ?? '';
  const errors = validatePodCreate(pod);
  if (errors.length > 0) throw invalid('Pod', name, errors);
  rejectResourceVersionOnCreate(metadata);
  if (state.objects.get('pods', namespace, name)) throw alreadyExists('pods', name);
  if (dryRun) return { kind: 'Pod', apiVersion: 'v1', ...(pod as JsonObject) };
  state.logs.removePod(namespace, name);
  const stored = state.objects.insert('pods', pod as JsonObject);
  state.listener?.podCreated(typedPod(stored));
  return stored;
}

/**
 * Deletes a pod the way the pod registry does and returns the pod (the API returns the
 * object, not a Status, for pods). A second DELETE may only shorten the grace period.
 * NOTE: metadata.finalizers are stored but not enforced. A real pod with finalizers stays
 * until a client removes them, and that needs PATCH, which this server does not serve.
 */
export function deletePod(state: ClusterState, namespace: string, name: string, options: DeleteOptionsInput): JsonObject {
  const pod = state.objects.get('pods', namespace, name);
  if (!pod) throw notFound('pods', name);
  checkPreconditions('pods', pod, options);
  if (options.dryRun) return pod;
  const metadata = metadataOf(pod);
  if (metadata.deletionTimestamp) return shortenGracePeriod(state, pod, options.gracePeriodSeconds);
  const gracePeriod = effectiveGracePeriod(pod, options.gracePeriodSeconds);
  metadata.deletionTimestamp = formatTime(new Date(Date.now() + gracePeriod * 1000));
  metadata.deletionGracePeriodSeconds = gracePeriod;
  const marked = state.objects.replace('pods', pod);
  return finishOrHandOver(state, marked, gracePeriod);
}

/** Like CheckGracefulDelete of the pod strategy: no node or a finished pod means no grace. */
function effectiveGracePeriod(pod: JsonObject, requested: number | undefined): number {
  const typed = pod as V1Pod;
  if (!typed.spec?.nodeName) return 0;
  if (typed.status?.phase === 'Succeeded' || typed.status?.phase === 'Failed') return 0;
  return requested ?? typed.spec.terminationGracePeriodSeconds ?? 30;
}

function shortenGracePeriod(state: ClusterState, pod: JsonObject, requested: number | undefined): JsonObject {
  const metadata = metadataOf(pod);
  const current = metadata.deletionGracePeriodSeconds ?? 0;
  if (requested === undefined || requested >= current) return pod;
  const start = Date.parse(metadata.deletionTimestamp as string) - current * 1000;
  metadata.deletionTimestamp = formatTime(new Date(start + requested * 1000));
  metadata.deletionGracePeriodSeconds = requested;
  const updated = state.objects.replace('pods', pod);
  return finishOrHandOver(state, updated, requested);
}

/**
 * Removes the pod at once when there is no grace period or no kubelet. Otherwise it notifies
 * the kubelet, which calls finalizePodDeletion when the containers have stopped. The kubelet
 * is notified of graceless deletes too, so it can stop a run that is under way.
 */
function finishOrHandOver(state: ClusterState, pod: JsonObject, gracePeriod: number): JsonObject {
  const { name, namespace = '' } = metadataOf(pod);
  if (gracePeriod > 0 && state.listener) {
    state.listener.podDeleting(typedPod(pod), gracePeriod);
    return pod;
  }
  const removed = removePod(state, namespace, name) ?? pod;
  state.listener?.podDeleting(typedPod(removed), 0);
  return removed;
}

/** Removes a pod for good once the kubelet has stopped it; does nothing when it is gone. */
export function finalizePodDeletion(state: ClusterState, namespace: string, name: string): void {
  removePod(state, namespace, name);
}

function removePod(state: ClusterState, namespace: string, name: string): JsonObject | undefined {
  const removed = state.objects.remove('pods', namespace, name);
  if (!removed) return undefined;
  state.logs.removePod(namespace, name);
  removeNamespaceIfEmpty(state, namespace);
  return removed;
}
