// Decides, from the pod, whether the build is still going, succeeded or failed, and describes a
// failure with everything the user needs. Pure: tested without a cluster.
import type { CoreV1Event, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { KanikoError } from './diagnosis/kaniko-log';
import { describePodStop, describeStall, describeStartFailure, podName, terminationHint } from './diagnosis/pod-failures';
import type { Stall } from './diagnosis/stall';
import { loc } from './messages';

export type PodVerdict =
  | { kind: 'waiting'; detail: string }
  | { kind: 'running' }
  | { kind: 'succeeded'; digest: string }
  | { kind: 'failed'; message: string; exitCode?: number };

const DIGEST = /^sha256:[a-f0-9]{64}$/;
/** Pod-level reasons for which Kubernetes stops the pod's containers itself. */
const POD_FAILURE_REASONS = new Set(['DeadlineExceeded', 'Evicted']);
/** Waiting reasons after which the container can never start without a change by the user. */
const FATAL_WAITING_REASONS = new Set([
  'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'CreateContainerConfigError', 'CreateContainerError',
]);

/** Facts about the pod besides its status, which make a failure message precise. */
export interface PodEvidence {
  /** Set when the pod waited longer than allowed, which fails the build. */
  stall?: Stall;
  /** kaniko's last fatal error line in the build log. */
  kanikoError?: KanikoError;
  /** The pod's events, in any order. */
  events?: CoreV1Event[];
}

/** Decides from the pod's status whether `container` still waits or runs, or how the build ended. */
export function assessPod(pod: V1Pod, container: string, evidence: PodEvidence = {}): PodVerdict {
  const name = podName(pod);
  const status = pod.status?.containerStatuses?.find((candidate) => candidate.name === container);
  const events = evidence.events ?? [];
  if (evidence.stall) return { kind: 'failed', message: describeStall(pod, evidence.stall, events) };

  // A pod stopped by Kubernetes (deadline, eviction) fails for that reason, whatever exit code
  // the killed container got.
  if (pod.status?.phase === 'Failed' && pod.status.reason && POD_FAILURE_REASONS.has(pod.status.reason)) {
    return { kind: 'failed', message: describePodStop(pod) ?? loc('PodFailed', name, pod.status.reason, pod.status.message ?? '') };
  }

  const initFailure = initContainerFailure(pod, events);
  if (initFailure) return initFailure;

  const terminated = status?.state?.terminated;
  if (terminated) {
    if (terminated.exitCode === 0) {
      // kaniko writes the digest file before it pushes, so the digest counts only after exit code 0.
      const digest = terminated.message?.trim() ?? '';
      if (DIGEST.test(digest)) return { kind: 'succeeded', digest };
      return { kind: 'failed', message: loc('DigestMissing', name, container) };
    }
    return {
      kind: 'failed',
      exitCode: terminated.exitCode,
      message: loc('ContainerTerminated', name, container, terminated.exitCode, terminated.reason ?? 'Error',
        terminationHint(pod, terminated, evidence.kanikoError)),
    };
  }

  if (pod.status?.phase === 'Failed') {
    return { kind: 'failed', message: loc('PodFailed', name, pod.status.reason ?? 'Failed', pod.status.message ?? '') };
  }
  if (pod.status?.phase === 'Succeeded') {
    return { kind: 'failed', message: loc('DigestMissing', name, container) };
  }

  const waiting = status?.state?.waiting;
  if (status && waiting?.reason && FATAL_WAITING_REASONS.has(waiting.reason)) {
    return { kind: 'failed', message: describeStartFailure(pod, status, events) };
  }
  if (status?.state?.running) return { kind: 'running' };
  return { kind: 'waiting', detail: waitingDetail(pod, status) };
}

/**
 * Returns the failure of an init container that can never complete: one that exited with an
 * error (the pod's restartPolicy is Never) or that cannot start.
 */
function initContainerFailure(pod: V1Pod, events: CoreV1Event[]): PodVerdict | undefined {
  const name = podName(pod);
  for (const status of pod.status?.initContainerStatuses ?? []) {
    const terminated = status.state?.terminated;
    if (terminated && terminated.exitCode !== 0) {
      const output = terminated.message?.trim().split('\n').slice(-5).join(' ') ?? '';
      return {
        kind: 'failed',
        exitCode: terminated.exitCode,
        message: loc('InitContainerFailed', name, status.name, terminated.exitCode, terminated.reason ?? 'Error', output || '(no output)',
          downloadHint(terminated.exitCode, output)),
      };
    }
    const waiting = status.state?.waiting;
    if (waiting?.reason && FATAL_WAITING_REASONS.has(waiting.reason)) {
      return { kind: 'failed', message: describeStartFailure(pod, status, events) };
    }
  }
  return undefined;
}

/** Explains curl's exit codes (curl's libcurl-errors documentation) for the context download. */
function downloadHint(exitCode: number, output: string): string {
  // curl before 8.3.0 rejects --variable as an unknown option and exits with code 2.
  if (exitCode === 2 && output.includes('--variable')) return loc('HintDownloadOldCurl');
  switch (exitCode) {
    case 22: return loc('HintDownloadHttpError');
    case 6:
    case 7:
    case 28: return loc('HintDownloadUnreachable');
    case 35:
    case 60: return loc('HintDownloadTls');
    default: return '';
  }
}

/** Tells whether the container has started, so its log can be read. */
export function hasStarted(pod: V1Pod, container: string): boolean {
  const state = pod.status?.containerStatuses?.find((candidate) => candidate.name === container)?.state;
  return !!(state?.running || state?.terminated);
}

/** Describes why a pod still waits: the scheduler's message, or the container's waiting reason. */
export function waitingDetail(pod: V1Pod, status?: V1ContainerStatus): string {
  const unscheduled = pod.status?.conditions?.find((condition) => condition.type === 'PodScheduled' && condition.status === 'False');
  if (unscheduled) {
    return [unscheduled.reason ?? 'Unschedulable', unscheduled.message?.replace(/\.+$/, '')].filter(Boolean).join(': ');
  }
  const waiting = status?.state?.waiting;
  if (waiting) return `${waiting.reason ?? 'Waiting'}${waiting.message ? `: ${waiting.message}` : ''}`;
  return pod.status?.phase ?? 'Pending';
}

