// The owner reference that ties the run's Secrets to its pod, so that Kubernetes' garbage
// collector deletes the Secrets once the pod is gone, also when the task could not.
import type { V1OwnerReference, V1Pod } from '@kubernetes/client-node';

/**
 * Returns the JSON merge patch that makes `pod` the owner of a Secret. The reference names the
 * pod's uid, which exists only after the create, so the Secrets get it by a patch. The pod is
 * not their controller, and its deletion need not wait for them.
 */
export function podOwnerPatch(pod: V1Pod): { metadata: { ownerReferences: V1OwnerReference[] } } {
  const name = pod.metadata?.name;
  const uid = pod.metadata?.uid;
  if (!name || !uid) throw new Error(`the created pod ${name ?? '(no name)'} has no name or uid to reference`);
  return { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name, uid }] } };
}
