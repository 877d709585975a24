// Defaults that the API server fills into a new pod before validation (SetDefaults_Pod and
// friends in pkg/apis/core/v1/defaults.go, Kubernetes 1.34) and the QoS class it records.
import type { V1Container, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { compareQuantities, type ExactQuantity, isZero, parseExactQuantity } from '../../quantity-value';

/** The file mode 0644 that secret, configMap, projected and downwardAPI volumes default to. */
const DEFAULT_FILE_MODE = 0o644;

export function applyPodDefaults(pod: V1Pod): void {
  const spec = (pod.spec ??= { containers: [] });
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ||= 'default-scheduler';
  spec.enableServiceLinks ??= true;
  for (const container of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) applyContainerDefaults(container);
  applyVolumeDefaults(spec);
}

function applyContainerDefaults(container: V1Container): void {
  container.terminationMessagePath ||= '/dev/termination-log';
  container.terminationMessagePolicy ||= 'File';
  container.imagePullPolicy ||= imageTag(container.image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
  container.resources ??= {};
  const { limits, requests } = container.resources;
  // Limits without requests default the requests to the limits.
  if (limits) {
    const defaulted = { ...limits, ...(requests ?? {}) };
    if (Object.keys(defaulted).length > 0) container.resources.requests = defaulted;
  }
  for (const port of container.ports ?? []) port.protocol ||= 'TCP';
  for (const variable of container.env ?? []) {
    if (variable.valueFrom?.fieldRef) variable.valueFrom.fieldRef.apiVersion ||= 'v1';
  }
}

function applyVolumeDefaults(spec: V1PodSpec): void {
  for (const volume of spec.volumes ?? []) {
    if (volume.secret) volume.secret.defaultMode ??= DEFAULT_FILE_MODE;
    if (volume.configMap) volume.configMap.defaultMode ??= DEFAULT_FILE_MODE;
    if (volume.projected) volume.projected.defaultMode ??= DEFAULT_FILE_MODE;
    if (volume.downwardAPI) volume.downwardAPI.defaultMode ??= DEFAULT_FILE_MODE;
    if (volume.hostPath) volume.hostPath.type ??= '';
  }
}

/**
 * Returns the tag of an image reference: `latest` when it names neither a tag nor a digest, empty
 * when it names only a digest. The pull policy defaults to Always for `latest`.
 */
export function imageTag(image: string): string {
  const [name, digest] = image.split('@', 2);
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  if (colon >= 0) return lastSegment.slice(colon + 1);
  return digest === undefined ? 'latest' : '';
}

/**
 * Computes the pod's QoS class from the cpu and memory requests and limits of all its containers
 * (pkg/apis/core/helper/qos): Guaranteed when every container has equal, non-zero requests
 * and limits for both, BestEffort when none has any, Burstable otherwise.
 */
export function computeQosClass(spec: V1PodSpec): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  let anySet = false;
  let guaranteed = true;
  for (const container of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const requests = nonZeroComputeResources(container.resources?.requests);
    const limits = nonZeroComputeResources(container.resources?.limits);
    if (requests.size > 0 || limits.size > 0) anySet = true;
    if (limits.size < 2) guaranteed = false;
    for (const [name, request] of requests) {
      const limit = limits.get(name);
      if (!limit || compareQuantities(request, limit) !== 0) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function nonZeroComputeResources(list: Record<string, string> | undefined): Map<string, ExactQuantity> {
  const result = new Map<string, ExactQuantity>();
  for (const name of ['cpu', 'memory']) {
    const quantity = list?.[name] === undefined ? undefined : parseExactQuantity(list[name]);
    if (quantity && !isZero(quantity)) result.set(name, quantity);
  }
  return result;
}
