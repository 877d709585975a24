// The local Kubernetes cluster for tests: an HTTPS API server with its own CA on 127.0.0.1
// (./apiserver) and one node whose kubelet runs pods through the kaniko emulation (./kubelet).
import type { WorkloadIdentityWebhookSettings } from './apiserver/admission/workload-identity-webhook';
import type { AccessRule, TokenVerifier } from './apiserver/auth';
import type { FaultCounts, FaultPlan } from './apiserver/faults/plan';
import {
  LocalApiServer, type ServiceAccountIssuerInfo, type ServiceAccountOptions, type StoredObject, type UserOptions,
} from './apiserver/local-api-server';
import type { ObjectKind, PodLifecycleListener, PodRunRecord } from './contract';
import type { RegistryCredential } from './kubelet/executor/registry-auth';
import type { RegistryStore } from './kubelet/executor/registry-store';
import { Kubelet, type KubeletOptions } from './kubelet/index';

export type {
  AccessRule, FaultCounts, FaultPlan, ServiceAccountIssuerInfo, ServiceAccountOptions, StoredObject, TokenVerifier, UserOptions,
  WorkloadIdentityWebhookSettings,
};

export interface LocalClusterOptions {
  /** Options of the kubelet; required unless `podLifecycle` replaces the kubelet. */
  kubelet?: KubeletOptions;
  /** A stand-in for the kubelet, for tests of the API server alone. */
  podLifecycle?: PodLifecycleListener;
  /** Server-side end of watches that set no timeoutSeconds; default 1800. */
  watchTimeoutSeconds?: number;
  /** Interval of BOOKMARK events for watches that allow them, in milliseconds; default 60000. */
  bookmarkIntervalMs?: number;
  /** Changes per resource kept for watches that resume from a resourceVersion; default 1000. */
  watchHistorySize?: number;
  /** The `iss` of service account tokens; default `https://kubernetes.default.svc.cluster.local`. */
  serviceAccountIssuer?: string;
  /** How long after `POST /api/v1/namespaces` the `default` ServiceAccount appears, in milliseconds; default 0. */
  serviceAccountDelayMs?: number;
  /** Whether the API server serves SelfSubjectAccessReview; default true. */
  authorizationApi?: boolean;
  /** Time from a change to the garbage collector's sweep, which deletes objects whose owners are gone; default 100 ms. */
  garbageCollectionDelayMs?: number;
}

export class LocalCluster {
  private constructor(
    private readonly api: LocalApiServer,
    private readonly kubelet: Kubelet | undefined,
  ) {}

  /** Starts the API server and the kubelet. */
  static async start(options: LocalClusterOptions = {}): Promise<LocalCluster> {
    if (!options.kubelet && !options.podLifecycle) {
      throw new Error('LocalCluster.start needs options.kubelet (for example resolveBlobService) or a podLifecycle stand-in.');
    }
    const api = await LocalApiServer.start({
      podLifecycle: options.podLifecycle,
      watchTimeoutSeconds: options.watchTimeoutSeconds,
      bookmarkIntervalMs: options.bookmarkIntervalMs,
      watchHistorySize: options.watchHistorySize,
      serviceAccountIssuer: options.serviceAccountIssuer,
      serviceAccountDelayMs: options.serviceAccountDelayMs,
      authorizationApi: options.authorizationApi,
      garbageCollectionDelayMs: options.garbageCollectionDelayMs,
    });
    let kubelet: Kubelet | undefined;
    if (!options.podLifecycle && options.kubelet) {
      kubelet = new Kubelet(api.state, options.kubelet);
      api.state.listener = kubelet;
    }
    return new LocalCluster(api, kubelet);
  }

  /** The API server's URL, such as `https://127.0.0.1:41234`. */
  get url(): string {
    return this.api.url;
  }

  /** PEM of the cluster's CA, which signed the API server's certificate. */
  get caPem(): string {
    return this.api.caPem;
  }

  /** A token with every right. */
  get adminToken(): string {
    return this.api.adminToken;
  }

  /** The pods the kubelet ran, in creation order; empty with a podLifecycle stand-in. */
  get runs(): PodRunRecord[] {
    return this.kubelet?.runs ?? [];
  }

  /**
   * Kubeconfig YAML with the cluster's CA (or insecure-skip-tls-verify), the admin token or
   * `token`, and a current context in `namespace` when given.
   */
  kubeconfig(options: { namespace?: string; token?: string; insecure?: boolean } = {}): string {
    return this.api.kubeconfig(options);
  }

  /**
   * Issues a token for a user with only the given rights; other requests get 403 Forbidden.
   * Every user may ask SelfSubjectAccessReview unless `basicUser` is false.
   */
  addUser(name: string, rules: AccessRule[], options: UserOptions = {}): string {
    return this.api.addUser(name, rules, options);
  }

  /** Copies of the stored objects of a kind, for leak checks. */
  listObjects(kind: ObjectKind, namespace?: string): StoredObject[] {
    return this.api.listObjects(kind, namespace);
  }

  /**
   * Deletes each Secret that `matches` selects right after the server responded to its create, before the
   * creating client can send another request, as another client's clean-up could. Returns a
   * function that stops it.
   */
  deleteSecretsWhenCreated(matches: (secret: StoredObject) => boolean): () => void {
    return this.api.deleteSecretsWhenCreated(matches);
  }

  createNamespace(name: string): void {
    this.api.createNamespace(name);
  }

  /** Accepts bearer tokens that `verify` maps to a user, such as Entra ID tokens for an AKS cluster. */
  addTokenVerifier(verify: TokenVerifier): void {
    this.api.addTokenVerifier(verify);
  }

  /** The emulated registries' contents: what pods pushed and cached, and the faults tests give a registry. */
  get registry(): RegistryStore {
    if (!this.kubelet) throw new Error('This local cluster has no kubelet, so it has no registry.');
    return this.kubelet.registry;
  }

  /** Adds the account of an emulated registry; pushes to `host` must then pass its check. */
  addRegistry(host: string, credential: RegistryCredential): void {
    if (!this.kubelet) throw new Error('This local cluster has no kubelet, so it pushes to no registry.');
    this.kubelet.addRegistry(host, credential);
  }

  /** Creates a ServiceAccount, with annotations such as `azure.workload.identity/client-id`; every namespace has `default`. */
  createServiceAccount(namespace: string, name: string, options: ServiceAccountOptions = {}): void {
    this.api.createServiceAccount(namespace, name, options);
  }

  /** The issuer of the cluster's service account tokens, for an identity provider to trust (AKS's OIDC issuer). */
  get serviceAccountIssuer(): ServiceAccountIssuerInfo {
    return this.api.serviceAccountIssuer;
  }

  /** Returns the claims of a service account token this cluster issued, or undefined for any other text. */
  verifyServiceAccountToken(token: string): Record<string, unknown> | undefined {
    return this.api.verifyServiceAccountToken(token);
  }

  /** Installs the Azure workload identity webhook, as `az aks update --enable-workload-identity` does. */
  installWorkloadIdentityWebhook(settings: WorkloadIdentityWebhookSettings): void {
    this.api.installWorkloadIdentityWebhook(settings);
  }

  /** Removes the workload identity webhook; labelled pods are then created without an identity. */
  removeWorkloadIdentityWebhook(): void {
    this.api.removeWorkloadIdentityWebhook();
  }

  /**
   * Injects API faults into requests from now on, as FaultPlan describes; undefined stops them.
   * Requests under way keep the faults they got. The counts start again from zero. Throws an
   * error naming the field when the plan is invalid.
   */
  setFaults(plan: FaultPlan | undefined): void {
    this.api.setFaults(plan);
  }

  /** Returns the faults injected since the last setFaults, by kind. */
  faultCounts(): FaultCounts {
    return this.api.faultCounts();
  }

  /** Stops the kubelet, then the API server with every open connection. */
  async stop(): Promise<void> {
    await this.kubelet?.stop();
    await this.api.stop();
  }
}
