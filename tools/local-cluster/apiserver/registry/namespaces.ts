// Namespace create and delete, the NamespaceLifecycle admission checks that other creates go
// through, and the namespace controller's cleanup of a namespace being deleted.
import type { V1Namespace } from '@kubernetes/client-node';
import type { JsonObject } from '../decode/decode';
import { generateName } from '../admission/pod-admission';
import { alreadyExists, conflict, forbidden, invalid, notFound } from '../status';
import { formatTime, metadataOf } from '../store/object-store';
import type { ClusterState } from '../store/cluster-state';
import { validateNamespaceCreate } from '../validation/secret-namespace';
import { checkPreconditions, type DeleteOptionsInput, rejectResourceVersionOnCreate } from './delete-options';
import { deletePod } from './pods';

/** Namespaces that the NamespaceLifecycle plugin refuses to delete. */
const IMMORTAL_NAMESPACES = new Set(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
const NAMESPACE_FINALIZER = 'kubernetes';

/**
 * Creates a namespace from a decoded body; with `dryRun`, validates and stores nothing. The
 * `default` ServiceAccount follows after `serviceAccountDelayMs`, the state's delay unless given.
 */
export function createNamespaceObject(
  state: ClusterState, body: JsonObject, dryRun: boolean, options: { serviceAccountDelayMs?: number } = {},
): JsonObject {
  const namespace = body as V1Namespace;
  const metadata = (namespace.metadata ??= {});
  // Namespaces are cluster-scoped: a namespace in the body is dropped, not rejected.
  delete metadata.namespace;
  if (!metadata.name && metadata.generateName) metadata.name = generateName(metadata.generateName);
  const name = metadata.name ?? '';
  metadata.labels = { ...(metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
  namespace.spec = { finalizers: [NAMESPACE_FINALIZER] };
  namespace.status = { phase: 'Active' };
  const errors = validateNamespaceCreate(namespace);
  if (errors.length > 0) throw invalid('Namespace', name, errors);
  rejectResourceVersionOnCreate(metadata);
  if (state.namespace(name)) throw alreadyExists('namespaces', name);
  if (dryRun) return { kind: 'Namespace', apiVersion: 'v1', ...(namespace as JsonObject) };
  const stored = state.objects.insert('namespaces', namespace as JsonObject);
  const delay = options.serviceAccountDelayMs ?? state.serviceAccountDelayMs;
  if (delay > 0) {
    const uid = metadataOf(stored).uid;
    setTimeout(() => addDefaultServiceAccount(state, name, uid), delay).unref();
  } else {
    addDefaultServiceAccount(state, name, metadataOf(stored).uid);
  }
  return stored;
}

/**
 * Creates `default` as the service account controller does, some time after the namespace
 * (kube-controller-manager's serviceaccounts-controller). Until then Kubernetes rejects pods that
 * run under it. Does nothing when the namespace is gone, replaced or terminating.
 */
function addDefaultServiceAccount(state: ClusterState, namespace: string, namespaceUid: string | undefined): void {
  const current = state.namespace(namespace);
  if (!current || metadataOf(current).uid !== namespaceUid || state.isTerminating(namespace)) return;
  if (state.objects.get('serviceaccounts', namespace, 'default')) return;
  state.objects.insert('serviceaccounts', { metadata: { name: 'default', namespace } });
}

/**
 * The first DELETE marks the namespace Terminating and returns it; the namespace controller
 * then deletes its contents and finally the namespace. A second DELETE while that runs is a
 * 409 Conflict, as in Kubernetes.
 */
export function deleteNamespace(state: ClusterState, name: string, options: DeleteOptionsInput): JsonObject {
  const namespace = state.namespace(name);
  if (!namespace) throw notFound('namespaces', name);
  if (IMMORTAL_NAMESPACES.has(name)) throw forbidden('namespaces', name, 'this namespace may not be deleted');
  checkPreconditions('namespaces', namespace, options);
  const metadata = metadataOf(namespace);
  if (metadata.deletionTimestamp) {
    throw conflict(
      'namespaces',
      name,
      'The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.',
    );
  }
  if (options.dryRun) return namespace;
  metadata.deletionTimestamp = formatTime(new Date());
  namespace.status = { phase: 'Terminating' };
  const updated = state.objects.replace('namespaces', namespace);
  setImmediate(() => emptyNamespace(state, name));
  return updated;
}

/** Empties the namespace as the namespace controller does: its contents first, then the namespace. */
function emptyNamespace(state: ClusterState, namespace: string): void {
  for (const secret of state.objects.list('secrets', namespace)) state.objects.remove('secrets', namespace, metadataOf(secret).name);
  for (const event of state.objects.list('events', namespace)) state.objects.remove('events', namespace, metadataOf(event).name);
  for (const account of state.objects.list('serviceaccounts', namespace)) {
    state.objects.remove('serviceaccounts', namespace, metadataOf(account).name);
  }
  for (const pod of state.objects.list('pods', namespace)) {
    if (!metadataOf(pod).deletionTimestamp) deletePod(state, namespace, metadataOf(pod).name, {});
  }
  removeNamespaceIfEmpty(state, namespace);
}

/** Removes a terminating namespace once its last pod is gone. */
export function removeNamespaceIfEmpty(state: ClusterState, namespace: string): void {
  if (!state.isTerminating(namespace)) return;
  if (state.objects.list('pods', namespace).length > 0) return;
  state.objects.remove('namespaces', '', namespace);
}

/**
 * Runs the NamespaceLifecycle admission check for creating an object in a namespace: 404 when
 * the namespace does not exist, 403 while it is being deleted.
 */
export function admitToNamespace(state: ClusterState, namespace: string, resource: string, name: string): void {
  if (!state.namespace(namespace)) throw notFound('namespaces', namespace);
  if (state.isTerminating(namespace)) {
    throw forbidden(resource, name, `unable to create new content in namespace ${namespace} because it is being terminated`, [
      { reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' },
    ]);
  }
}
