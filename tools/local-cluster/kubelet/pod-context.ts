// Shared state of one pod run: the pod, its status, the cluster store, the kubelet's settings
// and the signal that stops the run.
import type { V1Pod, V1Taint } from '@kubernetes/client-node';
import type { ClusterStore, PodRunRecord } from '../contract';
import type { AttachableContainer } from './attach';
import type { EmptyDirVolumes } from './empty-dir';
import type { RegistryCredential } from './executor/registry-auth';
import type { RegistryStore } from './executor/registry-store';
import type { PodStatusTracker } from './pod-status';
import type { PodResourceMonitor } from './resource-monitor';
import type { PodRuntimeFields } from './volumes-env';

/** Kubelet settings with their defaults applied. */
export interface KubeletSettings {
  nodeName: string;
  nodeLabels: Record<string, string>;
  nodeTaints: V1Taint[];
  hostIP: string;
  stepDelayMs: number;
  retryDelayMs: number;
  /** Factor applied to activeDeadlineSeconds. */
  deadlineScale: number;
  /** Factor applied to `sleep` in RUN steps. */
  sleepScale: number;
  /** Memory of the node in bytes, for oom_score_adj. The allocatable memory is used as the capacity. */
  nodeMemoryBytes: number;
  resolveBlobService(host: string): string | undefined;
  registryCredentials?: Readonly<Record<string, RegistryCredential>>;
  /** The images and cached layers of the emulated registries, shared by every pod. */
  registry: RegistryStore;
  /** PEM certificates that the containers trust for HTTPS, besides Node's roots. */
  httpsCaCertificates?: string[];
}

export interface PodContext {
  pod: V1Pod;
  namespace: string;
  name: string;
  store: ClusterStore;
  options: KubeletSettings;
  tracker: PodStatusTracker;
  record: PodRunRecord;
  /** Images already on the node, shared by all pods. */
  pulledImages: Set<string>;
  fields: PodRuntimeFields;
  /** The pod's emptyDir volumes, shared by its containers. */
  emptyDirs: EmptyDirVolumes;
  /** The containers that run now, by name, for attach sessions. */
  attachable: Map<string, AttachableContainer>;
  /** Aborted when the pod is deleted, exceeds its deadline or the kubelet stops. */
  signal: AbortSignal;
  /** Sends the current status to the store, unless the run was stopped. */
  publish(): void;
  /** Records an event about the pod, unless the run was stopped. */
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** Records an event about the node from a node agent such as node-problem-detector, unless the run was stopped. */
  nodeEvent(component: string, type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** The resource use of the pod's containers, which enforces memory and storage limits. */
  resources: PodResourceMonitor;
  /** Waits `ms` (default: the step delay); rejects when the run is stopped. */
  pause(ms?: number): Promise<void>;
  /** Delay before retry number `attempt` (from 0) of a failed mount or container configuration. */
  retryDelay(attempt: number): number;
}
