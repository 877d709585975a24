// The typed, validated settings of one run. Only the settings modules read inputs and
// service connections; everything after them works from this object.

/** How to reach the cluster, from the Kubernetes service connection. */
export interface ClusterSettings {
  /** The service connection's name, for messages. */
  connectionName: string;
  /** A complete kubeconfig (YAML or JSON) whose current context is the one to use. */
  kubeconfig: string;
  /** Skip TLS verification of the API server (the connection's "Accept untrusted certificates"). */
  skipTlsVerify: boolean;
  /** The namespace named by the connection, if any. */
  connectionNamespace?: string;
}

/** Credentials for the registry that kaniko pushes to. */
export interface RegistrySettings {
  connectionName: string;
  /** Registry host as it appears in image references, such as `myregistry.azurecr.io` or `docker.io`. */
  host: string;
  /** The key of `auths` in kaniko's config.json; Docker Hub needs `https://index.docker.io/v1/`. */
  authKey: string;
  username: string;
  password: string;
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

export interface BuildSettings {
  /** Absolute path of the build context folder. */
  contextDir: string;
  /** The Dockerfile's path inside the context, with `/` separators. */
  dockerfile: string;
  buildArguments: BuildArgument[];
  target?: string;
}

export interface StorageSettings {
  account: string;
  container: string;
  accessKey: string;
  /** The blob service URL the agent uploads to, without a trailing slash. */
  uploadEndpoint: string;
  /** The blob service URL kaniko reads from, `https://ACCOUNT.blob.<cloud suffix>`. */
  kanikoEndpoint: string;
}

export interface ResourceSettings {
  requests: { cpu?: string; memory?: string };
  limits: { cpu: string; memory: string };
}

export interface PodSettings {
  namespace: string;
  executorImage: string;
  resources: ResourceSettings;
  timeoutSeconds: number;
}

/** Facts about the pipeline run, used to name and label what the task creates. */
export interface RunIdentity {
  buildId: string;
  jobId: string;
  teamProject: string;
  definitionName: string;
  /** A link to the run's results page, when the agent provides enough variables. */
  buildUrl?: string;
}

export interface Settings {
  cluster: ClusterSettings;
  registry: RegistrySettings;
  image: ImageSettings;
  build: BuildSettings;
  storage: StorageSettings;
  pod: PodSettings;
  run: RunIdentity;
}
