// Pod status as the kubelet reports it (kubernetes pkg/kubelet/status/generate.go and
// kubelet_pods.go generateAPIPodStatus): phase, the five pod conditions with their
// transition times, and one status per init container and per container. Until a container
// has started it waits with the reason PodInitializing when the pod has init containers, and
// ContainerCreating otherwise.
import { createHash } from 'node:crypto';
import type { V1ContainerStatus, V1Pod, V1PodCondition, V1PodStatus } from '@kubernetes/client-node';

export type ContainerPhase =
  | { state: 'waiting'; reason: string; message?: string }
  | { state: 'running'; startedAt: Date }
  | { state: 'terminated'; exitCode: number; reason: string; message?: string; startedAt?: Date; finishedAt: Date };

interface ConditionValue {
  status: 'True' | 'False';
  reason?: string;
  message?: string;
}

/** Mutable view of a pod's status that turns into a V1PodStatus. */
export class PodStatusTracker {
  phase = 'Pending';
  /** PodScheduled=False message, while the scheduler cannot place the pod. */
  unschedulableMessage?: string;
  scheduled = false;
  sandboxReady = false;
  startTime?: Date;
  hostIP?: string;
  podIP?: string;
  reason?: string;
  message?: string;
  /**
   * Message of the DisruptionTarget condition that the kubelet adds when it evicts the pod for
   * node pressure (reason TerminationByKubelet). The kubelet sends it with the terminal phase.
   */
  disruptionMessage?: string;
  /** Phases of the regular containers. */
  readonly containers: Map<string, ContainerPhase>;
  /** Phases of the init containers, in their order. */
  readonly initContainers: Map<string, ContainerPhase>;
  private readonly defaultWaiting: ContainerPhase;
  private readonly conditionTimes = new Map<string, { status: string; time: Date }>();

  constructor(private readonly pod: V1Pod) {
    const initNames = (pod.spec?.initContainers ?? []).map((container) => container.name);
    const names = (pod.spec?.containers ?? []).map((container) => container.name);
    this.defaultWaiting = { state: 'waiting', reason: initNames.length > 0 ? 'PodInitializing' : 'ContainerCreating' };
    this.initContainers = new Map(initNames.map((name) => [name, this.defaultWaiting]));
    this.containers = new Map(names.map((name) => [name, this.defaultWaiting]));
  }

  /** Sets the phase of an init container or a regular container. */
  setContainer(name: string, phase: ContainerPhase): void {
    if (this.initContainers.has(name)) this.initContainers.set(name, phase);
    else this.containers.set(name, phase);
  }

  /** Returns the phase of an init container or a regular container. */
  containerPhase(name: string): ContainerPhase | undefined {
    return this.initContainers.get(name) ?? this.containers.get(name);
  }

  toStatus(now: Date): V1PodStatus {
    const status: V1PodStatus = { phase: this.phase, conditions: this.conditions(now), qosClass: qosClass(this.pod) };
    if (this.reason) status.reason = this.reason;
    if (this.message) status.message = this.message;
    if (!this.scheduled) return status;

    status.startTime = this.startTime;
    status.hostIP = this.hostIP;
    status.hostIPs = this.hostIP ? [{ ip: this.hostIP }] : undefined;
    if (this.podIP) {
      status.podIP = this.podIP;
      status.podIPs = [{ ip: this.podIP }];
    }
    const initContainers = this.pod.spec?.initContainers ?? [];
    if (initContainers.length > 0) {
      status.initContainerStatuses = initContainers.map((container) =>
        this.containerStatus(container.name, container.image ?? '', this.initContainers.get(container.name), true));
    }
    status.containerStatuses = (this.pod.spec?.containers ?? []).map((container) =>
      this.containerStatus(container.name, container.image ?? '', this.containers.get(container.name), false));
    return status;
  }

  /**
   * Builds a container's status. An init container is ready once it completed, and a regular
   * container while it runs, because no readiness probes are emulated.
   */
  private containerStatus(name: string, image: string, known: ContainerPhase | undefined, isInit: boolean): V1ContainerStatus {
    const phase = known ?? this.defaultWaiting;
    const started = phase.state !== 'waiting';
    const completed = phase.state === 'terminated' && phase.exitCode === 0;
    const status: V1ContainerStatus = {
      name,
      image,
      imageID: started ? `${image.split('@')[0].replace(/:[^:/]+$/, '')}@sha256:${sha256(image)}` : '',
      ready: isInit ? completed : phase.state === 'running',
      restartCount: 0,
      started: phase.state === 'running',
      state: {},
    };
    if (started) status.containerID = `containerd://${sha256(`${this.pod.metadata?.uid ?? ''}/${name}`)}`;
    if (phase.state === 'waiting') status.state = { waiting: { reason: phase.reason, message: phase.message } };
    if (phase.state === 'running') status.state = { running: { startedAt: phase.startedAt } };
    if (phase.state === 'terminated') {
      status.state = {
        terminated: {
          exitCode: phase.exitCode,
          reason: phase.reason,
          message: phase.message,
          startedAt: phase.startedAt,
          finishedAt: phase.finishedAt,
          containerID: status.containerID,
        },
      };
    }
    return status;
  }

  private conditions(now: Date): V1PodCondition[] {
    if (!this.scheduled) {
      if (this.unschedulableMessage === undefined) return [];
      return [this.condition('PodScheduled', { status: 'False', reason: 'Unschedulable', message: this.unschedulableMessage }, now)];
    }
    const ready = this.readyCondition();
    const conditions = [
      this.condition('PodReadyToStartContainers', { status: this.sandboxReady ? 'True' : 'False' }, now),
      this.condition('Initialized', this.initializedCondition(), now),
      this.condition('Ready', ready, now),
      this.condition('ContainersReady', ready, now),
      this.condition('PodScheduled', { status: 'True' }, now),
    ];
    if (this.disruptionMessage !== undefined && (this.phase === 'Failed' || this.phase === 'Succeeded')) {
      conditions.push(this.condition('DisruptionTarget', { status: 'True', reason: 'TerminationByKubelet', message: this.disruptionMessage }, now));
    }
    return conditions;
  }

  /** Initialized is True once every init container completed, or once a regular container started. */
  private initializedCondition(): ConditionValue {
    if (this.phase === 'Succeeded') return { status: 'True', reason: 'PodCompleted' };
    const anyStarted = [...this.containers.values()].some((phase) => phase.state !== 'waiting');
    if (anyStarted) return { status: 'True' };
    const incomplete = [...this.initContainers.entries()]
      .filter(([, phase]) => phase.state !== 'terminated' || phase.exitCode !== 0)
      .map(([name]) => name);
    if (incomplete.length === 0) return { status: 'True' };
    return { status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: [${incomplete.join(' ')}]` };
  }

  private readyCondition(): ConditionValue {
    if (this.phase === 'Succeeded') return { status: 'False', reason: 'PodCompleted' };
    if (this.phase === 'Failed') return { status: 'False', reason: 'PodFailed' };
    const unready = [...this.containers.entries()].filter(([, phase]) => phase.state !== 'running').map(([name]) => name);
    if (unready.length === 0) return { status: 'True' };
    return { status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` };
  }

  private condition(type: string, value: ConditionValue, now: Date): V1PodCondition {
    const previous = this.conditionTimes.get(type);
    if (!previous || previous.status !== value.status) this.conditionTimes.set(type, { status: value.status, time: now });
    const condition: V1PodCondition = {
      type,
      status: value.status,
      lastProbeTime: undefined,
      lastTransitionTime: this.conditionTimes.get(type)?.time,
    };
    if (value.reason) condition.reason = value.reason;
    if (value.message) condition.message = value.message;
    return condition;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Returns the pod's QoS class from its containers' requests and limits. */
export function qosClass(pod: V1Pod): string {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const hasAny = containers.some((c) => Object.keys(c.resources?.requests ?? {}).length + Object.keys(c.resources?.limits ?? {}).length > 0);
  if (!hasAny) return 'BestEffort';
  const guaranteed = containers.every((container) => {
    const limits = container.resources?.limits ?? {};
    const requests = { ...limits, ...(container.resources?.requests ?? {}) };
    return ['cpu', 'memory'].every((name) => limits[name] !== undefined && String(requests[name]) === String(limits[name]));
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
