// The typed, validated settings of one run. Only the settings modules read inputs and
// service connections; everything after them works from this object.
import type { V1Container, V1PodSpec, V1Toleration } from '@kubernetes/client-node';
import type { PulledImage } from './dockerfile';

/**
 * How to reach the cluster: a kubeconfig from a Kubernetes connection, an AKS cluster through
 * Azure Resource Manager, or the service account of the agent's own pod.
 */
export type ClusterSettings = KubeconfigClusterSettings | AksClusterSettings | InClusterSettings;

/** A cluster reached with the kubeconfig of a Kubernetes service connection. */
export interface KubeconfigClusterSettings {
  kind: 'kubeconfig';
  /** The service connection's name, for messages. */
  connectionName: string;
  /** A complete kubeconfig (YAML or JSON) whose current context is the one to use. */
  kubeconfig: string;
  /** Skip TLS verification of the API server (the connection's "Accept untrusted certificates"). */
  skipTlsVerify: boolean;
  /** The namespace named by the connection, if any. */
  connectionNamespace?: string;
}

/**
 * The cluster that the agent runs in as a pod, reached with the pod's service account. The run
 * builds its kubeconfig from the environment and the mounted token when it connects.
 */
export interface InClusterSettings {
  kind: 'inCluster';
  /** The namespace of the agent's pod, if Kubernetes mounted it. */
  connectionNamespace?: string;
}

/** An AKS cluster whose kubeconfig the task gets from Azure Resource Manager at run time. */
export interface AksClusterSettings {
  kind: 'aks';
  arm: ArmConnection;
  resourceGroup: string;
  clusterName: string;
  /** Use listClusterAdminCredential instead of listClusterUserCredential. */
  admin: boolean;
}

/** An Azure Resource Manager service connection. */
export interface ArmConnection {
  connectionId: string;
  tenantId: string;
  /**
   * The application (client) id the connection signs in with: the service principal's, or a
   * user-assigned managed identity's. Empty for the agent's system-assigned managed identity.
   */
  clientId: string;
  subscriptionId: string;
  /** Such as `https://management.azure.com`, without a trailing slash. */
  resourceManagerUrl: string;
  /** The Entra ID resource of Resource Manager, such as `https://management.core.windows.net/`: the token audience. */
  resourceManagerAudience: string;
  /** The Entra ID authority host, such as `https://login.microsoftonline.com`. */
  authorityHost: string;
  auth: ArmAuth;
}

export type ArmAuth =
  | { kind: 'secret'; clientSecret: string }
  /** Workload identity federation: the pipeline's OIDC token, requested with the job's access token. */
  | { kind: 'workloadIdentity'; oidcRequestUri: string; accessToken: string }
  /** The managed identity of the machine the agent runs on, named by `clientId` when user-assigned. */
  | { kind: 'managedIdentity' };

/** Credentials for a registry that kaniko pushes to or pulls from. */
export interface RegistrySettings {
  connectionName: string;
  /** Registry host as it appears in image references, such as `myregistry.azurecr.io` or `docker.io`. */
  host: string;
  /** The key of `auths` or `credHelpers` in kaniko's config.json; Docker Hub needs `https://index.docker.io/v1/`. */
  authKey: string;
  username: string;
  password: string;
  /** A Docker credential helper that kaniko runs in the pod instead of stored credentials, such as `acr-env`. */
  helper?: string;
  /** Set for ACR connections without a stored secret: the credentials come from an Entra token exchange at run time. */
  tokenExchange?: AcrTokenExchange;
  /**
   * Set when the task has no credentials for the registry: a noPush build without a registry
   * connection. config.json then has no entry for it.
   */
  noCredentials?: boolean;
}

/** How to get the Entra token that ACR exchanges for a refresh token. */
export type AcrTokenExchange = AcrWorkloadIdentityExchange | AcrManagedIdentityExchange;

/** An Entra token through workload identity federation. */
export interface AcrWorkloadIdentityExchange {
  kind: 'workloadIdentity';
  connectionId: string;
  tenantId: string;
  clientId: string;
  authorityHost: string;
  /** The job's access token, for the pipeline's OIDC endpoint. */
  accessToken: string;
}

/** An Entra token from the managed identity of the machine the agent runs on. */
export interface AcrManagedIdentityExchange {
  kind: 'managedIdentity';
  connectionId: string;
  /** The tenant the exchange names. Empty means the tenant of the Entra token. */
  tenantId: string;
}

export interface ImageSettings {
  /** Repository with its registry host, such as `myregistry.azurecr.io/team/web`. */
  repository: string;
  tags: string[];
}

export interface BuildArgument {
  name: string;
  value: string;
}

/** A build argument whose value reaches kaniko from a Secret through its environment, not its arguments. */
export interface SecretBuildArgument {
  name: string;
  /** The value, registered with the agent's masker when it was read. */
  value: string;
}

export interface BuildSettings {
  /** Absolute path of the build context folder. */
  contextDir: string;
  /** The Dockerfile's path inside the context, with `/` separators. */
  dockerfile: string;
  /** The Dockerfile's path as messages show it: relative to the working directory where it is inside. */
  dockerfileDisplayPath: string;
  buildArguments: BuildArgument[];
  secretBuildArguments: SecretBuildArgument[];
  target?: string;
  /** The number of stages (FROM lines) of the Dockerfile. */
  stageCount: number;
  /** Images that the build pulls (base images and `COPY --from` images) from the Dockerfile. */
  pulledImages: PulledImage[];
}

/**
 * The way kaniko gets the build context. With `sasDownload` an init container downloads the blob
 * with a read-only SAS, and with `accountKey` kaniko reads the blob with the storage account key.
 * With `direct` the task streams the archive into kaniko's stdin through the attach API, with no storage.
 */
export type ContextDelivery = 'sasDownload' | 'accountKey' | 'direct';

export interface ContextSettings {
  delivery: ContextDelivery;
  /** The image of the init container that downloads the context with curl, for `sasDownload`. */
  downloadImage: string;
  /** The modification time of every archive entry, for a reproducible archive; each file's own time when unset. */
  mtime?: Date;
  /**
   * Days an uploaded archive is kept for reruns after its last use; its blob is named by its SHA-256.
   * With 0 the blob is named after the run and deleted when the step ends.
   */
  retentionDays: number;
}

export interface StorageSettings {
  account: string;
  container: string;
  /** The storage account key; empty when `connection` is set. */
  accessKey: string;
  /** The Azure Resource Manager connection whose Entra ID token the task uses instead of the key. */
  connection?: ArmConnection;
  /** The blob service URL the agent uploads to, without a trailing slash. */
  uploadEndpoint: string;
  /** The blob service URL kaniko reads from, `https://ACCOUNT.blob.<cloud suffix>`. */
  kanikoEndpoint: string;
}

export interface ResourceSettings {
  requests: { cpu?: string; memory?: string; ephemeralStorage?: string };
  limits: { cpu: string; memory: string; ephemeralStorage?: string };
}

/** The podTemplate input, checked: fields to merge into the kaniko pod. */
export interface PodTemplate {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Pod spec fields; `containers` is left out, and the fields the task sets are never present. */
  spec?: Partial<V1PodSpec>;
  /** Fields to merge into the kaniko container. */
  kaniko?: Partial<V1Container>;
}

export interface PodSettings {
  /** The namespace to build in; with `createNamespace`, the start of the name of the namespace the run creates. */
  namespace: string;
  /** Set when the run creates a namespace of its own for the build and deletes it at the end. */
  createNamespace?: boolean;
  executorImage: string;
  resources: ResourceSettings;
  timeoutSeconds: number;
  /** How long the pod may stay unschedulable before the run fails; unset waits until the build timeout. */
  schedulingTimeoutSeconds?: number;
  /** The service account the pod runs under; unset means the namespace's `default`. */
  serviceAccount?: string;
  /** Set when kaniko gets registry credentials through the pod's Azure workload identity. */
  workloadIdentity?: WorkloadIdentitySettings;
  /** Node labels that the pod's node must have; unset for none. */
  nodeSelector?: Record<string, string>;
  /** Taints that the pod tolerates; unset for none. */
  tolerations?: V1Toleration[];
  template?: PodTemplate;
}

/** The build pod's Azure workload identity, which the AKS webhook injects from the service account. */
export interface WorkloadIdentitySettings {
  /** AZURE_ENVIRONMENT for the acr-env helper, such as `AzureChinaCloud`; unset for the public cloud. */
  azureEnvironment?: string;
}

/** An image label that kaniko sets with `--label`. */
export interface ImageLabel {
  key: string;
  value: string;
}

/** kaniko's layer cache in a registry repository. */
export interface CacheSettings {
  /** The repository with its registry host, such as `myregistry.azurecr.io/team/web/cache`. */
  repository: string;
  /** How long a cached layer stays valid, a Go duration such as `168h`; unset means kaniko's default of 336h. */
  ttl?: string;
}

/** kaniko options besides the build context, the Dockerfile, the image and the build arguments. */
export interface KanikoSettings {
  /** Set when kaniko reads and writes cached RUN layers. */
  cache?: CacheSettings;
  /** Image labels, each key once: the OCI labels from the pipeline run, then the labels input. */
  labels: ImageLabel[];
  /**
   * Whether to pass `--skip-unused-stages`: set for a Dockerfile with several stages when the
   * executor image may be older than osscontainertools kaniko v1.27.0, which skips unused stages by default.
   */
  skipUnusedStages: boolean;
  /** Retries of a failed push; 0 passes no flag. */
  pushRetry: number;
  /** Registries that kaniko pulls Docker Hub images from first, each a host with an optional path. */
  registryMirrors: string[];
  /** Registry hosts that kaniko reaches over plain HTTP. */
  insecureRegistries: string[];
  /** Build without pushing the image or cache layers. */
  noPush: boolean;
  /** Further kaniko arguments from the extraArgs input, each `--name` or `--name=value`. */
  extraArgs: string[];
}

/** Facts about the pipeline run, used to name and label what the task creates. */
export interface RunIdentity {
  buildId: string;
  jobId: string;
  teamProject: string;
  definitionName: string;
  /** A link to the run's results page, when the agent provides enough variables. */
  buildUrl?: string;
  /** The job's temporary folder (Agent.TempDirectory), where the step writes its summary. */
  tempDirectory?: string;
  /** The step's GUID (System.TaskInstanceId), which keeps the summary file of each step apart. */
  stepId?: string;
  /** The step's display name (System.TaskDisplayName), which names the summary file. */
  stepDisplayName?: string;
}

export interface Settings {
  cluster: ClusterSettings;
  /** The registry that kaniko pushes to. */
  registry: RegistrySettings;
  /** Further registries that kaniko pulls base images from. */
  pullRegistries: RegistrySettings[];
  /** Registries that kaniko pulls from without credentials, each with the first image it pulls there. */
  anonymousPulls: { registry: string; image: string }[];
  image: ImageSettings;
  build: BuildSettings;
  /** The storage account, except with the `direct` delivery. */
  storage?: StorageSettings;
  context: ContextSettings;
  pod: PodSettings;
  kaniko: KanikoSettings;
  run: RunIdentity;
}
