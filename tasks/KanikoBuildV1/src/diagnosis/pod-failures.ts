// Failure messages for the ways a build pod ends or never starts, each naming the pod, the
// container, the reason and what to change. Pure: tested without a cluster.
import type { CoreV1Event, V1ContainerStateTerminated, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { loc } from '../messages';
import { DOWNLOAD_CONTAINER } from '../plan/context-download';
import { STDIN_CONTEXT_URL } from '../plan/pod';
import { lastPullError, lastScaleUpEvent } from './events';
import type { KanikoError } from './kaniko-log';
import type { Stall } from './stall';

/** kaniko's exit code for every error other than a failing RUN step (osscontainertools/kaniko root.go). */
const KANIKO_ERROR_EXIT_CODE = 1;

/** Describes a pod that waited longer than allowed. */
export function describeStall(pod: V1Pod, stall: Stall, events: CoreV1Event[]): string {
  if (stall.kind === 'imagePull') {
    const status = containerStatuses(pod).find((candidate) => candidate.name === stall.container);
    return imagePullFailure(pod, stall.container, `ErrImagePull for ${stall.seconds} s`, status?.state?.waiting?.message, events);
  }
  const condition = pod.status?.conditions?.find((candidate) => candidate.type === 'PodScheduled');
  const scheduler = condition?.message?.replace(/\.+\s*$/, '') || 'Unschedulable';
  return [loc('PodUnschedulable', podName(pod), stall.minutes, scheduler, unschedulableHint(scheduler)), scaleUpSentence(events)]
    .filter(Boolean).join(' ');
}

/**
 * Returns what to change for the scheduler's reasons (kube-scheduler's filter plugins
 * TaintToleration, NodeAffinity and NodeResourcesFit), the first that matches.
 */
function unschedulableHint(scheduler: string): string {
  if (/untolerated taint|that the pod didn't tolerate/i.test(scheduler)) return loc('HintUnschedulableTaint');
  if (/didn't match Pod's node affinity/i.test(scheduler)) return loc('HintUnschedulableSelector');
  return loc('HintUnschedulableResources');
}

/** Describes a pod that Kubernetes stopped: at its deadline, or by eviction; undefined for other ends. */
export function describePodStop(pod: V1Pod): string | undefined {
  const reason = pod.status?.reason;
  if (reason === 'DeadlineExceeded') {
    const minutes = Math.round((pod.spec?.activeDeadlineSeconds ?? 0) / 60);
    return loc('PodDeadlineExceeded', podName(pod), minutes);
  }
  if (reason === 'Evicted') {
    const message = (pod.status?.message ?? '').trim();
    return loc('PodEvicted', podName(pod), message || '(no message)', evictionHint(message)).trim();
  }
  return undefined;
}

/** Describes a container that can never start, from its waiting reason. */
export function describeStartFailure(pod: V1Pod, status: V1ContainerStatus, events: CoreV1Event[]): string {
  const reason = status.state?.waiting?.reason ?? '';
  const message = status.state?.waiting?.message ?? '';
  switch (reason) {
    case 'ErrImagePull':
    case 'ImagePullBackOff':
      return imagePullFailure(pod, status.name, reason, message, events);
    case 'InvalidImageName':
      return loc('ImageNameInvalid', podName(pod), status.name, containerImage(pod, status.name), imageInput(status.name));
    case 'CreateContainerConfigError': {
      const hint = /runAsNonRoot/.test(message) ? loc('HintConfigRunAsNonRoot') : loc('HintConfigSecret', pod.metadata?.namespace ?? '');
      return loc('ContainerConfigFailed', podName(pod), status.name, message.replace(/\.+$/, ''), hint);
    }
    default:
      return loc('ContainerCannotStart', podName(pod), status.name, reason, message);
  }
}

/**
 * Explains a non-zero exit of the kaniko container: out of memory, kaniko's fatal error from
 * the log when there is one, or what the exit code means.
 */
export function terminationHint(pod: V1Pod, terminated: V1ContainerStateTerminated, kanikoError?: KanikoError): string {
  if (terminated.reason === 'OOMKilled') return loc('HintOutOfMemory', memoryLimit(pod));
  const runStep = terminated.exitCode !== KANIKO_ERROR_EXIT_CODE ? loc('HintRunStep', terminated.exitCode) : '';
  if (!kanikoError) return runStep || loc('HintKanikoError');
  // kaniko's error may span lines, so the hint starts a line of its own.
  return [loc('KanikoErrorLine', kanikoError.line), runStep || kanikoErrorHint(pod, kanikoError)].join('\n');
}

function kanikoErrorHint(pod: V1Pod, error: KanikoError): string {
  switch (error.kind) {
    case 'sourceContext':
      return loc(sourceContextHintKey(pod));
    case 'pushPermissions':
      return loc('HintPushPermissions');
    case 'building':
      return loc('HintBuildStep');
    case 'pushing':
      return loc('HintPushFailed');
  }
}

/** Picks the source context hint from how the pod delivers the context: stdin, an init container's download, or kaniko's own blob read. */
function sourceContextHintKey(pod: V1Pod): string {
  const args = pod.spec?.containers?.[0]?.args ?? [];
  if (args.includes(`--context=${STDIN_CONTEXT_URL}`)) return 'HintSourceContextStream';
  if ((pod.spec?.initContainers ?? []).some((container) => container.name === DOWNLOAD_CONTAINER)) return 'HintSourceContextDownload';
  return 'HintSourceContextAccountKey';
}

function imagePullFailure(pod: V1Pod, container: string, reason: string, waitingMessage: string | undefined, events: CoreV1Event[]): string {
  const image = containerImage(pod, container);
  // The waiting message of ImagePullBackOff is only `Back-off pulling image`, but the kubelet's
  // Failed event contains the registry's error.
  const detail = lastPullError(events, image) ?? waitingMessage ?? reason;
  return loc('ImagePullFailed', podName(pod), container, image, reason, detail.replace(/\.*\s*$/, '.'), imageInput(container));
}

function evictionHint(message: string): string {
  // The kubelet's eviction messages (pkg/kubelet/eviction/helpers.go): `The node was low on
  // resource: ephemeral-storage.`, `... exceeded its local ephemeral storage limit ...`, `Pod
  // ephemeral local storage usage exceeds ...`, `Usage of EmptyDir volume ... exceeds ...` and
  // `The node had condition: [DiskPressure].`
  if (/ephemeral-storage|ephemeral storage|ephemeral local storage|EmptyDir volume|DiskPressure/i.test(message)) return loc('HintEvictedStorage');
  if (/low on resource: memory/i.test(message)) return loc('HintEvictedMemory');
  return '';
}

function scaleUpSentence(events: CoreV1Event[]): string {
  const decision = lastScaleUpEvent(events);
  if (!decision) return '';
  return decision.reason === 'TriggeredScaleUp'
    ? loc('ScaleUpTooSlow', decision.message)
    : loc('ScaleUpRefused', decision.message.replace(/\.+$/, ''));
}

/** Returns the input that sets a container's image, for messages. */
function imageInput(container: string): string {
  return container === DOWNLOAD_CONTAINER ? 'downloadImage' : 'executorImage';
}

function containerImage(pod: V1Pod, container: string): string {
  const spec = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((candidate) => candidate.name === container);
  return spec?.image ?? '(unknown image)';
}

function memoryLimit(pod: V1Pod): string {
  const limit = pod.spec?.containers?.[0]?.resources?.limits?.memory;
  return limit === undefined ? '(none)' : String(limit);
}

function containerStatuses(pod: V1Pod): V1ContainerStatus[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}

export function podName(pod: V1Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}
