// Options and results of the agent-like task runner.

/** The result values of the agent's TaskResult enumeration that a task step can end with. */
export type TaskResultName = 'Succeeded' | 'SucceededWithIssues' | 'Failed' | 'Canceled' | 'Skipped';

/** A service connection as the pipeline passes it to the agent. */
export interface EndpointSpec {
  url: string;
  /** Authorization scheme, such as `Kubeconfig`, `Token`, `UsernamePassword` or `ServicePrincipal`. */
  scheme: string;
  /** Authorization parameters, such as `kubeconfig` or `username` and `password`. */
  parameters?: Record<string, string>;
  /** Endpoint data, such as `authorizationType`, `acceptUntrustedCerts` or `registrytype`. */
  data?: Record<string, string>;
}

/** When the runner cancels the task the way the agent does when a job is canceled. */
export interface CancelOptions {
  /** Cancels this many milliseconds after the task started. */
  afterMs?: number;
  /** Cancels when an output line (before masking) matches. */
  whenLine?: RegExp | ((line: string) => boolean);
  /** Cancels when the signal aborts. */
  signal?: AbortSignal;
}

/**
 * Waits of the agent's cancel sequence: SIGINT, then SIGTERM after `sigintTimeoutMs`, then
 * SIGKILL after `sigtermTimeoutMs` more. The agent's knobs PROCESS_SIGINT_TIMEOUT and
 * PROCESS_SIGTERM_TIMEOUT default to 7500 and 2500 ms.
 */
export interface SignalTimeouts {
  sigintTimeoutMs: number;
  sigtermTimeoutMs: number;
}

/** The job stage whose handler runs: `prejobexecution`, `execution` or `postjobexecution` in task.json. */
export type TaskStage = 'pre' | 'main' | 'post';

export interface TaskRunOptions {
  /** Folder of the task, containing task.json and the handler's target. */
  taskDir: string;
  /** Inputs by name or alias, as written in a pipeline. Unknown names are rejected. */
  inputs?: Record<string, string | number | boolean>;
  /** Service connections by id (a GUID), referenced from `connectedService:*` inputs. */
  endpoints?: Record<string, EndpointSpec>;
  /** Job variables by name, such as `system.debug`. They override the runner's defaults. */
  variables?: Record<string, string>;
  /** Secret job variables by name. The task reads them from SECRET_<NAME>, and the log masks them. */
  secretVariables?: Record<string, string>;
  /** Task variables from an earlier stage of the same task (`task.settaskvariable`). */
  taskVariables?: Record<string, TaskVariable>;
  /** The job's access token in SystemVssConnection; default a random one. */
  accessToken?: string;
  /** Extra environment variables, such as NODE_EXTRA_CA_CERTS. They are set last. */
  env?: Record<string, string>;
  /** Which handler runs. Default `main` (task.json `execution`). */
  stage?: TaskStage;
  /** Node.js binary that runs the handler's target. Default: the current process.execPath. */
  nodePath?: string;
  /** Sources directory (Build.SourcesDirectory). Default: an empty folder in the run's temporary tree. */
  sourcesDirectory?: string;
  /** Working directory of the task. Default: the handler's workingDirectory, else System.DefaultWorkingDirectory. */
  cwd?: string;
  /** Step timeout (the agent's timeoutInMinutes): cancels the task and fails the step. */
  timeoutMs?: number;
  /** Cancels the task as the agent does when the job is canceled. */
  cancel?: CancelOptions;
  /** Overrides the agent's waits between cancel signals, for fast tests. */
  signalTimeouts?: Partial<SignalTimeouts>;
  /** Receives each line the agent would show in the step's log, already masked. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Keeps the run's temporary folder (agent directories, HOME) instead of deleting it. */
  keepTempDir?: boolean;
  /**
   * The step's display name (System.TaskDisplayName). Default: task.json `instanceNameFormat` with
   * its `$(input)` macros replaced by the input values, as the service names a step without one.
   */
  displayName?: string;
  /** The step's reference name (System.TaskInstanceName), such as `build`. Default: the task's name. */
  stepName?: string;
  /** The step's GUID (System.TaskInstanceId), the same in each stage of one step. Default: a new one. */
  instanceId?: string;
}

/** A variable set by the task with `task.setvariable`. */
export interface SetVariable {
  value: string;
  isSecret: boolean;
  isOutput: boolean;
  isReadOnly: boolean;
}

/** A variable set by the task with `task.settaskvariable`, seen by the task's later stages. */
export interface TaskVariable {
  value: string;
  isSecret: boolean;
}

/** An issue logged with `task.logissue` (or `task.issue`). */
export interface TaskIssue {
  type: 'error' | 'warning';
  /** The message, masked as the agent masks it. */
  message: string;
  /** Other properties of the command, such as `sourcepath`, `linenumber` or `source`. */
  properties: Record<string, string>;
}

/** A parsed `##vso[area.event properties]data` logging command. */
export interface LoggingCommand {
  area: string;
  event: string;
  /** Properties with lower-case keys, because the agent compares them case-insensitively. */
  properties: Record<string, string>;
  data: string;
}

/** A file attached to the step with `task.addattachment`, `task.uploadsummary` or `task.uploadfile`. */
export interface TaskAttachment {
  /** Such as `DistributedTask.Core.Summary`. */
  type: string;
  /** The name the attachment gets; the file name for `task.uploadsummary` and `task.uploadfile`. */
  name: string;
  /** The absolute path the agent would upload the file from. */
  path: string;
}

/**
 * A markdown summary attached with `task.uploadsummary` (or `task.addattachment` of the summary
 * type), read when the step ended, before the run's temporary folder is removed.
 */
export interface TaskSummary extends TaskAttachment {
  /** The file's text, or undefined when the file could not be read when the step ended. */
  content?: string;
}

/** A `##[group]` section of the log. */
export interface LogGroup {
  name: string;
  /** Log lines inside the group. */
  lines: string[];
  /** False when the task never wrote the matching `##[endgroup]`. */
  closed: boolean;
}

/** Directories the runner created for the run, as the agent's variables name them. */
export interface AgentDirectories {
  root: string;
  home: string;
  agentHome: string;
  workFolder: string;
  buildDirectory: string;
  sourcesDirectory: string;
  artifactStagingDirectory: string;
  binariesDirectory: string;
  tempDirectory: string;
  toolsDirectory: string;
}

export interface TaskRunResult {
  result: TaskResultName;
  /** The exit code, or null when a signal ended the process. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Handler that ran, such as `Node20_1`. */
  handler: string;
  nodePath: string;
  /** Variables set by `task.setvariable`, by name as the task wrote it. */
  variables: Record<string, SetVariable>;
  /** Variables set by `task.settaskvariable`; pass them to the next stage as `taskVariables`. */
  taskVariables: Record<string, TaskVariable>;
  issues: TaskIssue[];
  /** Values the task registered with `task.setsecret` or as secret variables. */
  secrets: string[];
  /** Lines the agent would show: logging commands removed, secrets masked as `***`. */
  log: string[];
  groups: LogGroup[];
  rawStdout: string;
  stderr: string;
  commands: LoggingCommand[];
  /** Every attached file, summaries included. */
  attachments: TaskAttachment[];
  /** Attachments of the summary type, with their text. */
  summaries: TaskSummary[];
  /** Signals the runner sent, in order. */
  signalsSent: NodeJS.Signals[];
  canceled: boolean;
  timedOut: boolean;
  durationMs: number;
  /** The run's folders. They no longer exist unless `keepTempDir` was set. */
  directories: AgentDirectories;
}
