// The local cluster's only node, with a scheduler and a kubelet in one. It places pods on the
// node and runs their containers through the kaniko executor and curl emulations. Like
// kube-scheduler and the kubelet on a real node, it reports status, logs and events through
// the ClusterStore, and it serves attach sessions to running containers.
import type { V1Pod, V1Taint } from '@kubernetes/client-node';
import type {
  ClusterStore, ContainerAttachRequest, ContainerAttachResult, PodLifecycleListener, PodRunRecord,
} from '../contract';
import { type NodeFsOptions, type NodeFsSettings, parseNodeFsSettings, thresholdBytes } from './eviction-threshold';
import type { RegistryCredential } from './executor/registry-auth';
import { RegistryStore } from './executor/registry-store';
import { NodePressureEviction } from './node-pressure';
import type { KubeletSettings } from './pod-context';
import { PodRunner } from './pod-runner';
import { parseAllocatable, podRequests, schedulePod, type ResourceAmounts } from './scheduling';

export interface KubeletOptions {
  /** Node name; default `local-node-1`. */
  nodeName?: string;
  /** Node labels that nodeSelector matches; default the hostname, os and arch labels. */
  nodeLabels?: Record<string, string>;
  /** Taints on the node, which pods must tolerate to be scheduled there; default none. */
  nodeTaints?: V1Taint[];
  /**
   * Resources the node offers to pods, as quantities; default cpu `2` and memory `8Gi`. With
   * nodeFs, `ephemeral-storage` defaults to the capacity minus the eviction threshold, as the
   * kubelet computes it.
   */
  allocatable?: Record<string, string>;
  /**
   * The node's root filesystem (nodefs), which contains the containers' writable layers and logs and
   * the disk-backed emptyDir volumes. Undefined, the default, means unlimited space, so the kubelet
   * never evicts a pod for node pressure.
   */
  nodeFs?: NodeFsOptions;
  /**
   * Hard eviction thresholds by eviction signal, as in the kubelet configuration's evictionHard.
   * Only `nodefs.available` is emulated: a percentage of nodeFs.capacity such as `10%`, or a
   * quantity such as `2Gi`. `0%` turns eviction off. Default `{ "nodefs.available": "10%" }`, the
   * default of the kubelet and of AKS. Needs nodeFs.
   */
  evictionHard?: Record<string, string>;
  /**
   * Maps a Blob Storage host such as `devstoreaccount1.blob.core.windows.net` to the emulator's
   * base URL for that account, such as `http://127.0.0.1:10000/devstoreaccount1`. This is the
   * in-cluster DNS view; undefined means the name does not resolve.
   */
  resolveBlobService(host: string): string | undefined;
  /** Accounts of emulated registries, keyed by host. Credentials for these hosts must match. */
  registryCredentials?: Record<string, RegistryCredential>;
  /** PEM certificates that the containers trust for HTTPS (kaniko's `https://` contexts, curl), besides Node's defaults. */
  httpsCaCertificates?: string[];
  /** Pause between emulated steps and log lines, in milliseconds; default 30. */
  stepDelayMs?: number;
  /** First retry delay of a failed volume mount or container configuration, in milliseconds; doubled per retry up to 8 times; default 200. */
  retryDelayMs?: number;
  /**
   * Factor applied to every pod's activeDeadlineSeconds. The default is 1. A test convenience with
   * no kubelet counterpart: 0.01 makes a 60-second deadline pass after 0.6 seconds.
   */
  deadlineScale?: number;
  /**
   * Factor applied to the duration of `sleep` in RUN steps. The default is 1. A test convenience
   * that lets a long build run quickly: 0.001 makes `sleep 600` take 0.6 seconds.
   */
  sleepScale?: number;
}

const HOST_IP = '10.224.0.4';
const FIRST_POD_ADDRESS = 10;

export class Kubelet implements PodLifecycleListener {
  /** One record per pod the kubelet was given, in creation order. */
  readonly runs: PodRunRecord[] = [];
  private readonly settings: KubeletSettings;
  private readonly allocatable: ResourceAmounts;
  private readonly nodePressure?: NodePressureEviction;
  private readonly runners = new Map<string, PodRunner>();
  /** Pods the scheduler could not place yet, oldest first. */
  private readonly pending: PodRunner[] = [];
  private readonly pulledImages = new Set<string>();
  /** Deletions in progress, which stop() waits for. */
  private readonly deletions = new Map<PodRunner, Promise<void>>();
  private nextPodAddress = FIRST_POD_ADDRESS;
  private stopped = false;

  constructor(private readonly store: ClusterStore, options: KubeletOptions) {
    const nodeName = options.nodeName ?? 'local-node-1';
    const nodeFs = parseNodeFsSettings(options.nodeFs, options.evictionHard);
    this.allocatable = parseAllocatable(options.allocatable ?? { cpu: '2', memory: '8Gi' });
    if (nodeFs) {
      this.allocatable['ephemeral-storage'] ??= allocatableStorage(nodeFs);
      this.nodePressure = new NodePressureEviction(nodeFs, () => this.activeRunners(), (type, reason, message) => {
        if (!this.stopped) this.store.recordNodeEvent(nodeName, 'kubelet', type, reason, message);
      });
    }
    this.settings = {
      nodeName,
      nodeLabels: options.nodeLabels ?? {
        'kubernetes.io/hostname': nodeName,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
      },
      nodeTaints: options.nodeTaints ?? [],
      hostIP: HOST_IP,
      stepDelayMs: options.stepDelayMs ?? 30,
      retryDelayMs: options.retryDelayMs ?? 200,
      deadlineScale: positiveFactor('deadlineScale', options.deadlineScale),
      sleepScale: positiveFactor('sleepScale', options.sleepScale),
      nodeMemoryBytes: this.allocatable.memory ?? 0,
      resolveBlobService: options.resolveBlobService,
      registryCredentials: options.registryCredentials,
      registry: new RegistryStore(),
      httpsCaCertificates: options.httpsCaCertificates,
    };
  }

  /** The images that pods pushed and the layers they cached, and the registry faults that tests set. */
  get registry(): RegistryStore {
    return this.settings.registry;
  }

  /** Adds or replaces the account of an emulated registry, such as an ACR whose fake issues refresh tokens. */
  addRegistry(host: string, credential: RegistryCredential): void {
    this.settings.registryCredentials = { ...this.settings.registryCredentials, [host]: credential };
  }

  podCreated(pod: V1Pod): void {
    if (this.stopped) return;
    const nodeName = pod.spec?.nodeName;
    // NOTE: a pod bound to another node by name has no kubelet here and stays Pending.
    if (nodeName && nodeName !== this.settings.nodeName) return;

    const record: PodRunRecord = {
      namespace: pod.metadata?.namespace ?? 'default',
      name: pod.metadata?.name ?? '',
      pod: structuredClone(pod),
      args: [...(pod.spec?.containers?.[0]?.args ?? [])],
      contextFiles: [],
    };
    this.runs.push(record);
    const runner = new PodRunner(pod, record, {
      store: this.store,
      settings: this.settings,
      pulledImages: this.pulledImages,
      allocatePodIP: () => `10.244.0.${this.nextPodAddress++}`,
      onPodFinished: () => {
        this.schedulePending();
        this.nodePressure?.synchronize();
      },
      onStorageChanged: () => this.nodePressure?.synchronize(),
    });
    this.runners.set(podKey(record.namespace, record.name), runner);
    this.pending.push(runner);
    this.schedulePending();
  }

  podDeleting(pod: V1Pod, _gracePeriodSeconds: number): void {
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    const runner = this.runners.get(podKey(namespace, name));
    if (!runner) {
      if (!this.stopped) this.store.finalizePodDeletion(namespace, name);
      return;
    }
    this.runners.delete(podKey(namespace, name));
    const waiting = this.pending.indexOf(runner);
    if (waiting !== -1) this.pending.splice(waiting, 1);
    // NOTE: the run stops at once; the grace period only bounds how long a real kubelet waits.
    const deletion = runner
      .delete()
      .catch((error: unknown) => console.error(`kubelet: deleting pod ${namespace}/${name} failed:`, error))
      .finally(() => this.deletions.delete(runner));
    this.deletions.set(runner, deletion);
  }

  /**
   * Attaches to a container as the kubelet's `/attach` endpoint does (pkg/kubelet/server and
   * kubelet_pods.go GetAttach, Kubernetes 1.34): 400 without any stream, 500 when the container
   * does not run. A TTY request drops stderr, as the remotecommand option parsing does.
   */
  attachContainer(request: ContainerAttachRequest): ContainerAttachResult {
    if (!request.stdin && !request.stdout && !request.stderr) {
      return { ok: false, httpStatus: 400, message: 'you must specify at least 1 of stdin, stdout, stderr' };
    }
    const runner = this.runners.get(podKey(request.namespace, request.pod));
    const session = runner?.attach({ ...request, stderr: request.stderr && !request.tty });
    if (!session) {
      return { ok: false, httpStatus: 500, message: `container ${request.container} not found in pod ${request.pod}_${request.namespace}` };
    }
    return { ok: true, session };
  }

  /** Stops every run without further status updates; resolves when none is left. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pending.length = 0;
    const runners = [...this.runners.values(), ...this.deletions.keys()];
    this.runners.clear();
    await Promise.all([...runners.map((runner) => runner.stop()), ...this.deletions.values()]);
  }

  /** Places pending pods in creation order while they fit; the rest stay Pending. */
  private schedulePending(): void {
    if (this.stopped) return;
    for (const runner of [...this.pending]) {
      const decision = schedulePod(runner.pod, this.settings, this.allocatable, this.requestedByBoundPods());
      if (!decision.fits) {
        runner.markUnschedulable(decision.message);
        continue;
      }
      this.pending.splice(this.pending.indexOf(runner), 1);
      runner.bind();
    }
  }

  /** Returns the pods bound to the node that have not finished. */
  private activeRunners(): PodRunner[] {
    return [...this.runners.values()].filter((runner) => runner.bound && !runner.finished);
  }

  private requestedByBoundPods(): ResourceAmounts {
    const total: ResourceAmounts = {};
    for (const runner of this.runners.values()) {
      if (!runner.bound || runner.finished) continue;
      for (const [name, amount] of Object.entries(podRequests(runner.pod))) total[name] = (total[name] ?? 0) + amount;
    }
    return total;
  }
}

/** Returns the node's allocatable ephemeral storage: the capacity less the hard eviction threshold (hardEvictionReservation in pkg/kubelet/cm). */
function allocatableStorage(nodeFs: NodeFsSettings): number {
  const reserved = nodeFs.threshold ? thresholdBytes(nodeFs.threshold, nodeFs.capacityBytes) : 0;
  return Math.max(0, nodeFs.capacityBytes - reserved);
}

/** Returns a scale factor option, or 1 when it is absent. Throws when it is not a positive number. */
function positiveFactor(name: string, value: number | undefined): number {
  if (value === undefined) return 1;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`KubeletOptions.${name} must be a positive number such as 0.01, got ${String(value)}.`);
  }
  return value;
}

function podKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
