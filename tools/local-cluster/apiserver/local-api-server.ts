// The local API server with its cluster state, tokens and helpers for tests, without a
// kubelet: LocalCluster (../index.ts) adds the kubelet; tests of the API server alone plug in
// a pod lifecycle listener of their own.
import type { KeyObject } from 'node:crypto';
import type { ObjectKind, PodLifecycleListener } from '../contract';
import { ADMIN_USER, type AccessRule, TokenAuthenticator, type TokenVerifier } from './auth';
import type { JsonObject } from './decode/decode';
import { FaultInjector } from './faults/injector';
import type { FaultCounts, FaultPlan } from './faults/plan';
import { buildKubeconfig } from './kubeconfig';
import type { WorkloadIdentityWebhookSettings } from './admission/workload-identity-webhook';
import { createNamespaceObject } from './registry/namespaces';
import { deleteSecret } from './registry/secrets';
import { createServiceAccount } from './registry/service-accounts';
import { ApiServer } from './server';
import { ClusterState } from './store/cluster-state';
import type { ObjectMetaJson } from './store/object-store';
import { ServiceAccountTokenIssuer } from './store/service-account-tokens';

export interface LocalApiServerOptions {
  /** Receives pod creations and deletions; without one, deleted pods are removed at once. */
  podLifecycle?: PodLifecycleListener;
  /** Server-side end of watches that set no timeoutSeconds; default 1800 (kube-apiserver's minimum). */
  watchTimeoutSeconds?: number;
  /** Interval of BOOKMARK events for watches that allow them; default 60000. */
  bookmarkIntervalMs?: number;
  /** Changes per resource kept for watches that resume from a resourceVersion; default 1000. */
  watchHistorySize?: number;
  /** The `iss` of service account tokens; default `https://kubernetes.default.svc.cluster.local`. */
  serviceAccountIssuer?: string;
  /**
   * How long after `POST /api/v1/namespaces` the `default` ServiceAccount appears, in
   * milliseconds; default 0, which creates it with the namespace.
   */
  serviceAccountDelayMs?: number;
  /** Whether the server serves SelfSubjectAccessReview, as every real API server does; default true. */
  authorizationApi?: boolean;
  /** Time from a change to the garbage collector's sweep; default 100 ms. */
  garbageCollectionDelayMs?: number;
}

/** Options of a user that addUser issues a token for. */
export interface UserOptions {
  /** Whether the user is bound to `system:basic-user`, which allows SelfSubjectAccessReview; default true. */
  basicUser?: boolean;
}

/** Fields that createServiceAccount sets on a ServiceAccount besides its name. */
export interface ServiceAccountOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  automountServiceAccountToken?: boolean;
}

/** The issuer of the cluster's service account tokens and its public key, to register with an identity provider. */
export interface ServiceAccountIssuerInfo {
  issuer: string;
  keyId: string;
  publicKey: KeyObject;
}

/** An object as the store keeps it: wire JSON with kind, apiVersion and metadata. */
export interface StoredObject {
  kind: string;
  apiVersion: string;
  metadata: ObjectMetaJson;
  [field: string]: unknown;
}

export class LocalApiServer {
  private constructor(
    private readonly server: ApiServer,
    private readonly authenticator: TokenAuthenticator,
    /** The cluster state; the kubelet talks to it through the ClusterStore interface. */
    readonly state: ClusterState,
    /** A token with every right. */
    readonly adminToken: string,
    private readonly faults: FaultInjector,
  ) {}

  static async start(options: LocalApiServerOptions = {}): Promise<LocalApiServer> {
    const tokenIssuer = await ServiceAccountTokenIssuer.create(options.serviceAccountIssuer);
    const state = new ClusterState({
      watchHistorySize: options.watchHistorySize ?? 1000,
      tokenIssuer,
      serviceAccountDelayMs: options.serviceAccountDelayMs,
      garbageCollectionDelayMs: options.garbageCollectionDelayMs ?? 100,
    });
    state.listener = options.podLifecycle;
    const authenticator = new TokenAuthenticator();
    const adminToken = authenticator.issueToken(ADMIN_USER);
    const debug = process.env.LOCAL_CLUSTER_DEBUG === '1';
    const faults = new FaultInjector();
    const server = await ApiServer.start({
      state,
      authenticator,
      faults,
      authorizationApi: options.authorizationApi,
      watch: {
        defaultTimeoutSeconds: options.watchTimeoutSeconds ?? 1800,
        bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
      },
      debugLog: debug ? (line) => console.error(`[local-cluster] ${line}`) : undefined,
    });
    return new LocalApiServer(server, authenticator, state, adminToken, faults);
  }

  /** The API server's URL, such as `https://127.0.0.1:41234`. */
  get url(): string {
    return this.server.url;
  }

  /** PEM of the CA that clients must trust. */
  get caPem(): string {
    return this.server.caPem;
  }

  /** Kubeconfig YAML for the admin token, or for `token`, in an optional default namespace. */
  kubeconfig(options: { namespace?: string; token?: string; insecure?: boolean } = {}): string {
    return buildKubeconfig({
      server: this.url,
      caPem: this.caPem,
      token: options.token ?? this.adminToken,
      userName: options.token ? 'local-cluster-user' : ADMIN_USER.name,
      namespace: options.namespace,
      insecure: options.insecure,
    });
  }

  /** Accepts tokens that `verify` maps to a user. */
  addTokenVerifier(verify: TokenVerifier): void {
    this.authenticator.addVerifier(verify);
  }

  /** Issues a token for a user with only the given rights; other requests get 403. */
  addUser(name: string, rules: AccessRule[], options: UserOptions = {}): string {
    return this.authenticator.issueToken({ name, rules, basicUser: options.basicUser });
  }

  /** Copies of the stored objects of a kind, in one namespace or all. */
  listObjects(kind: ObjectKind, namespace?: string): StoredObject[] {
    return this.state.objects.list(kind, namespace) as unknown as StoredObject[];
  }

  /**
   * Deletes each Secret that `matches` selects as soon as the server responded to its create, before
   * the client that created it can send another request, as another client's clean-up could.
   * Returns a function that stops it.
   */
  deleteSecretsWhenCreated(matches: (secret: StoredObject) => boolean): () => void {
    const listener = (kind: ObjectKind, object: JsonObject): void => {
      if (kind !== 'secrets' || !matches(object as unknown as StoredObject)) return;
      const { namespace, name } = object.metadata as ObjectMetaJson;
      // setImmediate runs before the event loop reads the creating client's next request.
      setImmediate(() => {
        if (this.state.objects.get('secrets', namespace ?? '', name)) deleteSecret(this.state, namespace ?? '', name, {});
      });
    };
    this.state.objects.createListeners.add(listener);
    return () => this.state.objects.createListeners.delete(listener);
  }

  /** Creates a namespace with its `default` ServiceAccount, as one created some time ago through the API would be. */
  createNamespace(name: string): void {
    createNamespaceObject(this.state, { metadata: { name } } as JsonObject, false, { serviceAccountDelayMs: 0 });
  }

  /** Creates a ServiceAccount, as `POST .../serviceaccounts` would; every namespace has `default`. */
  createServiceAccount(namespace: string, name: string, options: ServiceAccountOptions = {}): void {
    const { labels, annotations, automountServiceAccountToken } = options;
    const body: JsonObject = { metadata: { name, namespace, labels, annotations }, automountServiceAccountToken };
    createServiceAccount(this.state, namespace, JSON.parse(JSON.stringify(body)) as JsonObject, false);
  }

  /** The issuer of service account tokens, which an identity provider trusts for workload identity federation. */
  get serviceAccountIssuer(): ServiceAccountIssuerInfo {
    const { issuer, keyId, publicKey } = this.state.tokenIssuer;
    return { issuer, keyId, publicKey };
  }

  /** Returns the claims of a service account token this cluster issued, or undefined for any other text. */
  verifyServiceAccountToken(token: string): Record<string, unknown> | undefined {
    return this.state.tokenIssuer.verify(token);
  }

  /**
   * Installs the Azure workload identity mutating webhook, as enabling workload identity on an
   * AKS cluster does. Pods labelled `azure.workload.identity/use: "true"` are mutated from then on.
   */
  installWorkloadIdentityWebhook(settings: WorkloadIdentityWebhookSettings): void {
    this.state.workloadIdentityWebhook = settings;
  }

  /** Removes the workload identity webhook, as disabling workload identity does; labelled pods then pass unchanged. */
  removeWorkloadIdentityWebhook(): void {
    this.state.workloadIdentityWebhook = undefined;
  }

  /** Sets the plan of faults for new requests (undefined for none) and restarts the counts. Throws on an invalid plan. */
  setFaults(plan: FaultPlan | undefined): void {
    this.faults.setPlan(plan);
  }

  /** Returns the faults injected since the last setFaults. */
  faultCounts(): FaultCounts {
    return this.faults.counts();
  }

  async stop(): Promise<void> {
    this.state.garbageCollector.stop();
    await this.server.stop();
  }
}
