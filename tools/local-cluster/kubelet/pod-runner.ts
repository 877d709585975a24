// One pod on the emulated node: binding, volume mounts, the pod sandbox, its init containers
// one after another, then its containers, the active deadline, eviction for local storage or node
// pressure, and deletion, each reported through the cluster store as a kubelet does.
// NOTE: every restartPolicy behaves like Never: a container runs once and is not restarted, and
// a failed init container fails the pod. Under OnFailure and Always a real kubelet restarts the
// init container with a back-off, and the pod stays Pending.
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Pod } from '@kubernetes/client-node';
import type { AttachSession, ClusterStore, ContainerAttachRequest, PodRunRecord } from '../contract';
import type { AttachableContainer } from './attach';
import { runContainer } from './container-runner';
import { EmptyDirVolumes } from './empty-dir';
import type { EvictionCandidate, PodDiskUsage } from './node-pressure';
import type { KubeletSettings, PodContext } from './pod-context';
import { PodStatusTracker } from './pod-status';
import { PodResourceMonitor } from './resource-monitor';
import { mountVolumes } from './volumes-env';

/** The kubelet's shared state that a pod run uses. */
export interface NodeState {
  store: ClusterStore;
  settings: KubeletSettings;
  pulledImages: Set<string>;
  allocatePodIP(): string;
  /** Called once when a bound pod stops using the node's resources. */
  onPodFinished(runner: PodRunner): void;
  /** Called after every change of the pod's ephemeral storage use. */
  onStorageChanged(): void;
}

const RETRY_GROWTH_LIMIT = 8;
const DEADLINE_MESSAGE = 'Pod was active on the node longer than the specified deadline';
/** Exit code of a container stopped with SIGKILL (128 + 9). */
const KILLED_EXIT_CODE = 137;

export class PodRunner implements EvictionCandidate {
  readonly namespace: string;
  readonly name: string;
  /** Whether the pod is bound to the node and counts against its allocatable resources. */
  bound = false;
  /** Whether the pod reached a terminal phase or was deleted. */
  finished = false;
  private readonly tracker: PodStatusTracker;
  private readonly emptyDirs: EmptyDirVolumes;
  private readonly resources: PodResourceMonitor;
  private readonly attachable = new Map<string, AttachableContainer>();
  private readonly controller = new AbortController();
  private lifecycle: Promise<void> = Promise.resolve();
  private deadlineTimer?: NodeJS.Timeout;
  private stopped = false;
  private evictionStarted = false;

  constructor(readonly pod: V1Pod, readonly record: PodRunRecord, private readonly node: NodeState) {
    this.namespace = pod.metadata?.namespace ?? 'default';
    this.name = pod.metadata?.name ?? '';
    this.tracker = new PodStatusTracker(pod);
    this.emptyDirs = new EmptyDirVolumes(pod);
    this.resources = new PodResourceMonitor(pod, this.emptyDirs, (message) => this.startEviction(message, false), () => node.onStorageChanged());
  }

  /** Whether an eviction of the pod is under way. */
  get evicting(): boolean {
    return this.evictionStarted && !this.finished;
  }

  /** Returns the storage use of the running containers and the emptyDir volumes, as the kubelet's summary stats report it. */
  diskUsage(): PodDiskUsage {
    const runningContainers = new Map<string, number>();
    for (const [name, phase] of [...this.tracker.initContainers, ...this.tracker.containers]) {
      if (phase.state === 'running') runningContainers.set(name, this.resources.containerStorageBytes(name));
    }
    return { pod: this.pod, runningContainers, localVolumeBytes: this.resources.localVolumeBytes() };
  }

  nodeFsBytes(): number {
    return this.resources.storageBytes();
  }

  evictForNodePressure(message: string): void {
    this.startEviction(message, true);
  }

  /** Attaches to a running container; undefined when no container of that name runs. */
  attach(request: ContainerAttachRequest): AttachSession | undefined {
    return this.attachable.get(request.container)?.attach(request);
  }

  /** Reports the scheduler's failure to place the pod; it stays Pending. */
  markUnschedulable(message: string): void {
    this.tracker.unschedulableMessage = message;
    this.publishStatus();
    this.recordEvent('Warning', 'FailedScheduling', message);
  }

  /** Binds the pod to the node and starts its run. */
  bind(): void {
    this.bound = true;
    const now = new Date();
    this.tracker.scheduled = true;
    this.tracker.startTime = now;
    this.tracker.hostIP = this.node.settings.hostIP;
    this.node.store.updatePodStatus(this.namespace, this.name, this.tracker.toStatus(now), this.node.settings.nodeName);
    this.recordEvent('Normal', 'Scheduled', `Successfully assigned ${this.namespace}/${this.name} to ${this.node.settings.nodeName}`);
    this.startDeadline();
    this.lifecycle = this.run().catch((error: unknown) => {
      if (!this.controller.signal.aborted) console.error(`kubelet: running pod ${this.namespace}/${this.name} failed:`, error);
    });
  }

  /** Stops the containers after the pod got a deletionTimestamp, then removes the pod. */
  async delete(): Promise<void> {
    if (this.bound && !this.finished) {
      await this.interrupt('deleted');
      if (!this.finished) {
        this.killContainers();
        this.end('Failed');
      }
    }
    this.clearDeadline();
    if (!this.stopped) this.node.store.finalizePodDeletion(this.namespace, this.name);
  }

  /** Aborts the run without further status updates; resolves when it settled. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearDeadline();
    await this.interrupt('stopped');
  }

  private async run(): Promise<void> {
    const context = this.createContext();
    await this.waitForVolumes(context);
    this.tracker.sandboxReady = true;
    this.tracker.podIP = context.fields.podIP;
    context.publish();
    if (!(await this.runInitContainers(context))) return;

    const containers = this.pod.spec?.containers ?? [];
    const outcomes = await Promise.all(containers.map((container, index) => runContainer(context, container, index === 0)));
    if (outcomes.includes('stuck')) return;

    await context.pause();
    const succeeded = [...this.tracker.containers.values()].every((phase) => phase.state === 'terminated' && phase.exitCode === 0);
    this.end(succeeded ? 'Succeeded' : 'Failed');
  }

  /**
   * Runs the init containers in order, each to completion. Returns false when one of them
   * cannot start (the pod stays Pending) or fails (the pod fails, as with restartPolicy Never).
   * NOTE: a sidecar (an init container with restartPolicy Always) also runs to completion here,
   * where a real kubelet starts the next container as soon as the sidecar has started.
   */
  private async runInitContainers(context: PodContext): Promise<boolean> {
    for (const container of this.pod.spec?.initContainers ?? []) {
      const outcome = await runContainer(context, container, false);
      if (outcome === 'stuck') return false;
      const phase = this.tracker.initContainers.get(container.name);
      if (phase?.state === 'terminated' && phase.exitCode === 0) {
        context.publish();
        continue;
      }
      await context.pause();
      this.end('Failed');
      return false;
    }
    return true;
  }

  private async waitForVolumes(context: PodContext): Promise<void> {
    const container = this.pod.spec?.containers?.[0] ?? { name: '' };
    for (let attempt = 0; ; attempt += 1) {
      const result = mountVolumes(this.pod, container, this.node.store, this.emptyDirs);
      if (result.ok) return;
      context.event('Warning', 'FailedMount', result.message);
      await context.pause(context.retryDelay(attempt));
    }
  }

  private createContext(): PodContext {
    const signal = this.controller.signal;
    const settings = this.node.settings;
    return {
      pod: this.pod,
      namespace: this.namespace,
      name: this.name,
      store: this.node.store,
      options: settings,
      tracker: this.tracker,
      record: this.record,
      pulledImages: this.node.pulledImages,
      fields: { nodeName: settings.nodeName, hostIP: settings.hostIP, podIP: this.node.allocatePodIP() },
      emptyDirs: this.emptyDirs,
      attachable: this.attachable,
      signal,
      publish: () => {
        if (!signal.aborted) this.publishStatus();
      },
      event: (type, reason, message) => {
        if (!signal.aborted) this.recordEvent(type, reason, message);
      },
      nodeEvent: (component, type, reason, message) => {
        if (!signal.aborted && !this.stopped) this.node.store.recordNodeEvent(settings.nodeName, component, type, reason, message);
      },
      resources: this.resources,
      pause: (ms = settings.stepDelayMs) => sleep(ms, undefined, { signal }),
      retryDelay: (attempt) => settings.retryDelayMs * Math.min(2 ** attempt, RETRY_GROWTH_LIMIT),
    };
  }

  private startDeadline(): void {
    const seconds = this.pod.spec?.activeDeadlineSeconds;
    if (seconds === undefined || seconds === null) return;
    this.deadlineTimer = setTimeout(() => {
      this.deadlineTimer = undefined;
      this.exceedDeadline().catch(() => undefined);
    }, seconds * 1000 * this.node.settings.deadlineScale);
  }

  private async exceedDeadline(): Promise<void> {
    if (this.finished) return;
    await this.interrupt('deadline');
    if (this.finished || this.stopped) return;
    this.recordEvent('Warning', 'DeadlineExceeded', DEADLINE_MESSAGE);
    this.killContainers();
    this.tracker.reason = 'DeadlineExceeded';
    this.tracker.message = DEADLINE_MESSAGE;
    this.end('Failed');
  }

  private startEviction(message: string, nodePressure: boolean): void {
    this.evict(message, nodePressure).catch((error: unknown) => console.error(`kubelet: evicting pod ${this.namespace}/${this.name} failed:`, error));
  }

  /**
   * Evicts the pod as the eviction manager's evictPod does: a Warning event Evicted with the
   * message, then the containers are killed, and the pod fails with reason Evicted. An eviction
   * for node pressure also adds the DisruptionTarget condition.
   */
  private async evict(message: string, nodePressure: boolean): Promise<void> {
    if (this.finished || this.stopped || this.evictionStarted) return;
    this.evictionStarted = true;
    this.recordEvent('Warning', 'Evicted', message);
    await this.interrupt('evicted');
    if (this.finished || this.stopped) return;
    this.killContainers();
    this.tracker.reason = 'Evicted';
    this.tracker.message = message;
    if (nodePressure) this.tracker.disruptionMessage = message;
    this.end('Failed');
  }

  /** Marks running containers as killed and ends their logs. */
  private killContainers(): void {
    if (this.stopped) return;
    const now = new Date();
    for (const [name, phase] of [...this.tracker.initContainers, ...this.tracker.containers]) {
      if (phase.state !== 'running') continue;
      this.recordEvent('Normal', 'Killing', `Stopping container ${name}`);
      this.node.store.endLog(this.namespace, this.name, name);
      this.tracker.setContainer(name, {
        state: 'terminated', exitCode: KILLED_EXIT_CODE, reason: 'Error', startedAt: phase.startedAt, finishedAt: now,
      });
      if (name === this.pod.spec?.containers?.[0]?.name) {
        this.record.exitCode = KILLED_EXIT_CODE;
        this.record.finishedAt = now;
      }
    }
  }

  private async interrupt(reason: string): Promise<void> {
    this.controller.abort(new Error(`pod ${this.namespace}/${this.name} ${reason}`));
    await this.lifecycle;
  }

  /** Moves the pod to a terminal phase and reports it. */
  private end(phase: 'Succeeded' | 'Failed'): void {
    this.tracker.phase = phase;
    this.tracker.sandboxReady = false;
    this.finish();
    this.publishStatus();
  }

  private finish(): void {
    this.finished = true;
    this.clearDeadline();
    this.node.onPodFinished(this);
  }

  private clearDeadline(): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
  }

  private publishStatus(): void {
    if (this.stopped) return;
    this.node.store.updatePodStatus(this.namespace, this.name, this.tracker.toStatus(new Date()));
  }

  private recordEvent(type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (this.stopped) return;
    this.node.store.recordEvent(this.namespace, this.name, type, reason, message);
  }
}
