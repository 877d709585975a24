// The unparsed values of a run, as the agent provides them. settings/read.ts fills these
// from task-lib; tests build them by hand.

/**
 * Inputs whose values are secrets: masked at once, and never written to the debug log. The local
 * run-step command also takes their variables from the environment only.
 */
export const SECRET_INPUTS: ReadonlySet<keyof RawInputs> = new Set<keyof RawInputs>(['storageAccessKey']);
/**
 * Inputs with a secret on each line, which are masked line by line and never written to the
 * debug log. The local run-step command also takes their variables from the environment only.
 */
export const SECRET_LINES_INPUTS: ReadonlySet<keyof RawInputs> = new Set<keyof RawInputs>(['secretBuildArguments']);

export interface RawInputs {
  connectionType: string;
  kubernetesServiceConnection: string;
  azureSubscriptionEndpoint: string;
  azureResourceGroup: string;
  kubernetesCluster: string;
  useClusterAdmin: string;
  namespace: string;
  /** `serviceConnection` or `workloadIdentity`: where kaniko's registry credentials come from. */
  registryCredentials: string;
  containerRegistry: string;
  repository: string;
  tags: string;
  dockerfile: string;
  buildContext: string;
  buildArguments: string;
  target: string;
  /** Comma-separated ids of Docker registry connections that kaniko pulls base images with. */
  baseImageRegistries: string;
  /** Hosts of private-by-default registries that allow anonymous pull, comma-separated. */
  anonymousPullRegistries: string;
  contextDelivery: string;
  downloadImage: string;
  /** `true` (the default) for an archive with normalised times and ownership. */
  reproducibleContext: string;
  contextRetentionInDays: string;
  storageAccount: string;
  storageContainer: string;
  storageAccessKey: string;
  /** An Azure Resource Manager connection for storage, used instead of storageAccessKey. */
  storageConnection: string;
  storageBlobEndpoint: string;
  executorImage: string;
  cpuRequest: string;
  memoryRequest: string;
  cpuLimit: string;
  memoryLimit: string;
  buildTimeoutInMinutes: string;
  /** Minutes an unschedulable pod may wait for a node; `0` waits until the build timeout. */
  schedulingTimeoutInMinutes: string;
  serviceAccount: string;
  /** `true` to build in a namespace that the run creates and deletes. */
  createNamespace: string;
  ephemeralStorageRequest: string;
  ephemeralStorageLimit: string;
  /** Node labels, `KEY=VALUE` a line. */
  nodeSelector: string;
  /** Tolerations, `KEY[=VALUE][:EFFECT]` a line. */
  tolerations: string;
  /** A partial Pod in YAML, merged into the kaniko pod. */
  podTemplate: string;
  /** Build arguments whose values kaniko gets from a Secret: `NAME` (a pipeline variable of that name) or `NAME=VALUE`, one a line. */
  secretBuildArguments: string;
  /** `true` for kaniko's layer cache. */
  cache: string;
  cacheRepository: string;
  /** A Go duration such as `168h`. */
  cacheTtl: string;
  /** Image labels, one `KEY=VALUE` a line. */
  labels: string;
  /** `true` (the default) to label the image with its source repository and revision. */
  ociLabels: string;
  /** `true` (the default) to skip the stages that the built stage does not need. */
  skipUnusedStages: string;
  pushRetry: string;
  /** Registry mirrors for Docker Hub images, one a line. */
  registryMirror: string;
  /** Registry hosts reached over plain HTTP, one a line. */
  insecureRegistries: string;
  /** `true` to build without pushing. */
  noPush: string;
  /** Further kaniko flags, one a line. */
  extraArgs: string;
}

/** A service connection as the agent passes it to tasks. Missing values are undefined. */
export interface RawEndpoint {
  /** The input that named the connection, for messages. */
  input: string;
  id: string;
  url?: string;
  scheme?: string;
  parameters: Record<string, string | undefined>;
  data: Record<string, string | undefined>;
}

export interface RawVariables {
  buildId: string;
  jobId: string;
  teamProject: string;
  definitionName: string;
  collectionUri: string;
  defaultWorkingDirectory: string;
  /** SOURCE_DATE_EPOCH, the time that reproducible archives give every file, in seconds since 1970. */
  sourceDateEpoch: string;
  /** System.OidcRequestUri, where workload identity federation requests the pipeline's OIDC token. */
  oidcRequestUri: string;
  /** The job's access token (SystemVssConnection), a secret. */
  accessToken: string;
  /** Agent.TempDirectory, the job's temporary folder, which the agent empties after the job. */
  tempDirectory: string;
  /** System.TaskInstanceId, the GUID of this step. */
  stepId: string;
  /** System.TaskDisplayName, the step's name in the pipeline run. */
  stepDisplayName: string;
  /** Build.Repository.Uri, the URL of the repository the sources come from. */
  repositoryUri: string;
  /** Build.SourceVersion, the commit (or changeset) being built. */
  sourceVersion: string;
}

/** A pipeline variable marked secret, which the agent masks in the log. */
export interface SecretVariable {
  name: string;
  value: string;
}

export interface RawRun {
  inputs: RawInputs;
  kubernetesEndpoint?: RawEndpoint;
  armEndpoint?: RawEndpoint;
  storageEndpoint?: RawEndpoint;
  registryEndpoint?: RawEndpoint;
  /** The connections of baseImageRegistries, in input order; undefined where the agent passed none for an id. */
  baseImageEndpoints: { id: string; endpoint?: RawEndpoint }[];
  variables: RawVariables;
  /** Every secret pipeline variable that the agent passed to the task, to find secrets in the buildArguments input. */
  secretVariables: SecretVariable[];
  /**
   * Values of the pipeline variables that the `NAME` lines of secretBuildArguments name, keyed by
   * the name as written. A variable that is not set has no key.
   */
  secretBuildArgumentVariables: Record<string, string>;
  /** Returns the files under `root` that match the minimatch `pattern`, as task-lib's findMatch does. */
  findFiles(root: string, pattern: string): string[];
}
