// The mutating admission plugins that a default cluster runs on new pods: ServiceAccount,
// Priority and DefaultTolerationSeconds (plugin/pkg/admission in Kubernetes 1.34).
import type { V1Pod, V1PodSpec, V1ServiceAccount, V1Toleration } from '@kubernetes/client-node';
import { forbidden } from '../status';

/** Mount path of the API token, CA and namespace that the ServiceAccount plugin adds. */
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
const BUILT_IN_PRIORITY_CLASSES: Record<string, number> = {
  'system-cluster-critical': 2_000_000_000,
  'system-node-critical': 2_000_001_000,
};
const DEFAULT_TOLERATION_SECONDS = 300;
const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_GENERATED_NAME_BASE = 58;

/** Five random characters from the alphabet that apimachinery's utilrand.String uses. */
export function randomNameSuffix(): string {
  let suffix = '';
  for (let i = 0; i < 5; i += 1) suffix += NAME_SUFFIX_ALPHABET[Math.floor(Math.random() * NAME_SUFFIX_ALPHABET.length)];
  return suffix;
}

/** Returns a name for metadata.generateName: the base cut to 58 characters, then a random suffix. */
export function generateName(base: string): string {
  return base.slice(0, MAX_GENERATED_NAME_BASE) + randomNameSuffix();
}

export interface PodAdmissionContext {
  namespace: string;
  /** Returns the namespace's ServiceAccount of this name, or undefined when there is none. */
  serviceAccount(name: string): V1ServiceAccount | undefined;
}

/** Runs the plugins in the order of the default plugin list; throws 403 as they do. */
export function admitPod(pod: V1Pod, context: PodAdmissionContext): void {
  const spec = (pod.spec ??= { containers: [] });
  const podName = pod.metadata?.name ?? '';
  admitServiceAccount(spec, podName, context);
  admitPriority(spec, podName);
  addDefaultTolerations(spec);
}

function admitServiceAccount(spec: V1PodSpec, podName: string, context: PodAdmissionContext): void {
  spec.serviceAccountName ||= 'default';
  // The deprecated alias of serviceAccountName, which the API server still fills.
  (spec as V1PodSpec & { serviceAccount?: string }).serviceAccount = spec.serviceAccountName;
  const account = spec.serviceAccountName;
  const serviceAccount = context.serviceAccount(account);
  if (!serviceAccount) {
    const reason = `error looking up service account ${context.namespace}/${account}: serviceaccount ${JSON.stringify(account)} not found`;
    throw forbidden('pods', podName, reason);
  }
  // The pod's automountServiceAccountToken wins over the service account's; both unset mounts.
  if ((spec.automountServiceAccountToken ?? serviceAccount.automountServiceAccountToken) === false) return;
  const alreadyMounted = [...(spec.initContainers ?? []), ...spec.containers].some((container) =>
    (container.volumeMounts ?? []).some((mount) => mount.mountPath === SERVICE_ACCOUNT_MOUNT_PATH),
  );
  if (alreadyMounted) return;
  const volumeName = `kube-api-access-${randomNameSuffix()}`;
  spec.volumes = [...(spec.volumes ?? []), serviceAccountVolume(volumeName)];
  for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
    container.volumeMounts = [...(container.volumeMounts ?? []), { name: volumeName, mountPath: SERVICE_ACCOUNT_MOUNT_PATH, readOnly: true }];
  }
}

function serviceAccountVolume(name: string): NonNullable<V1PodSpec['volumes']>[number] {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

/** Only the built-in priority classes exist in the local cluster. */
function admitPriority(spec: V1PodSpec, podName: string): void {
  const className = spec.priorityClassName;
  if (!className) {
    spec.priority ??= 0;
  } else if (className in BUILT_IN_PRIORITY_CLASSES) {
    spec.priority = BUILT_IN_PRIORITY_CLASSES[className];
  } else {
    throw forbidden('pods', podName, `no PriorityClass with name ${className} was found`);
  }
  spec.preemptionPolicy ||= 'PreemptLowerPriority';
}

function addDefaultTolerations(spec: V1PodSpec): void {
  const tolerations = spec.tolerations ?? [];
  for (const taint of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    const tolerated = tolerations.some(
      (toleration) => (toleration.key === taint || (!toleration.key && toleration.operator === 'Exists')) && (!toleration.effect || toleration.effect === 'NoExecute'),
    );
    if (!tolerated) {
      const toleration: V1Toleration = { key: taint, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS };
      tolerations.push(toleration);
    }
  }
  spec.tolerations = tolerations;
}
