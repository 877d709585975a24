// Merges the podTemplate input into the generated kaniko pod. The settings have already
// rejected every field that the task sets, so the merge only adds: maps are joined, lists are
// appended after the task's entries, and any other field is taken from the template.
import type { V1Container, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import type { PodTemplate } from '../settings/types';

/** Spec fields whose entries the template adds to the task's. */
const APPENDED_SPEC_LISTS = ['tolerations', 'volumes', 'imagePullSecrets'] as const;
/** Container fields whose entries the template adds to the task's. */
const APPENDED_CONTAINER_LISTS = ['env', 'envFrom', 'volumeMounts'] as const;

/** Returns a copy of `pod` with the template merged in; `containerName` names the container that `template.kaniko` shapes. */
export function mergePodTemplate(pod: V1Pod, containerName: string, template: PodTemplate): V1Pod {
  const merged = structuredClone(pod);
  const additions = structuredClone(template);
  const metadata = merged.metadata!;
  metadata.labels = { ...additions.labels, ...metadata.labels };
  metadata.annotations = { ...additions.annotations, ...metadata.annotations };
  merged.spec = mergeSpec(merged.spec!, additions.spec ?? {});
  const container = merged.spec.containers.find((candidate) => candidate.name === containerName);
  if (container && additions.kaniko) Object.assign(container, mergeContainer(container, additions.kaniko));
  return merged;
}

function mergeSpec(spec: V1PodSpec, additions: Partial<V1PodSpec>): V1PodSpec {
  const merged: V1PodSpec = { ...spec, ...additions, containers: spec.containers };
  if (additions.nodeSelector) merged.nodeSelector = { ...additions.nodeSelector, ...spec.nodeSelector };
  for (const field of APPENDED_SPEC_LISTS) {
    const entries = [...(spec[field] ?? []), ...(additions[field] ?? [])];
    if (entries.length > 0) (merged[field] as unknown[]) = entries;
  }
  return merged;
}

function mergeContainer(container: V1Container, additions: Partial<V1Container>): V1Container {
  const merged: V1Container = { ...container, ...additions, name: container.name };
  if (additions.resources) {
    merged.resources = {
      ...additions.resources,
      requests: { ...additions.resources.requests, ...container.resources?.requests },
      limits: { ...additions.resources.limits, ...container.resources?.limits },
    };
  }
  for (const field of APPENDED_CONTAINER_LISTS) {
    const entries = [...(container[field] ?? []), ...(additions[field] ?? [])];
    if (entries.length > 0) (merged[field] as unknown[]) = entries;
  }
  return merged;
}
