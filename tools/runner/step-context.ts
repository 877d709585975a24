// What the agent records while a task step runs: its log as shown (masked), issues, variables,
// registered secrets, and the result that logging commands set.
import { SecretMasker } from './secret-masker';
import type {
  LogGroup, LoggingCommand, SetVariable, TaskAttachment, TaskIssue, TaskResultName, TaskVariable,
} from './types';

// The agent's TaskResult values in order of severity.
const SEVERITY: Record<TaskResultName, number> = {
  Succeeded: 0,
  SucceededWithIssues: 1,
  Failed: 2,
  Canceled: 3,
  Skipped: 4,
};

/**
 * Returns the worse of two results, as the agent's TaskResultUtil.MergeTaskResults does:
 * once Canceled or Skipped, a result stays so.
 */
export function mergeResults(current: TaskResultName | undefined, coming: TaskResultName): TaskResultName {
  if (current === undefined) return coming;
  if (SEVERITY[current] > SEVERITY.Failed) return current;
  return SEVERITY[coming] >= SEVERITY[current] ? coming : current;
}

/** Parses a result name as .NET's Enum.TryParse does: exact case, or the enumeration's number. */
export function parseResultName(text: string): TaskResultName | undefined {
  const names = Object.keys(SEVERITY) as TaskResultName[];
  if (names.includes(text as TaskResultName)) return text as TaskResultName;
  if (/^\s*\d+\s*$/.test(text)) return names[Number(text)];
  return undefined;
}

export type LineSink = (line: string, stream: 'stdout' | 'stderr') => void;

export class StepContext {
  readonly variables: Record<string, SetVariable> = {};
  readonly taskVariables: Record<string, TaskVariable> = {};
  readonly issues: TaskIssue[] = [];
  /** Values the task registered as secrets, with `task.setsecret` or a secret variable. */
  readonly secrets: string[] = [];
  readonly log: string[] = [];
  readonly groups: LogGroup[] = [];
  readonly commands: LoggingCommand[] = [];
  /** Files attached with `task.addattachment`, `task.uploadsummary` or `task.uploadfile`, in order. */
  readonly attachments: TaskAttachment[] = [];
  /** Result set by `task.complete`, merged over repeated commands. */
  result?: TaskResultName;
  /** Failed when the agent could not process a logging command. */
  commandResult?: TaskResultName;
  /** Set when `task.complete` had `done=true`. */
  doneRequested = false;

  private readonly masker = new SecretMasker();
  private openGroup?: LogGroup;

  /**
   * @param workerDirectory the agent worker's working directory, against which the agent
   *   resolves a relative attachment path.
   */
  constructor(
    readonly debugEnabled: boolean,
    private readonly sink?: LineSink,
    readonly workerDirectory = process.cwd(),
  ) {}

  /** Masks a value from now on. Earlier log lines stay as they were, as in the agent. */
  addMask(value: string): void {
    this.masker.add(value);
  }

  /** Masks a value the task registered, and lists it in `secrets`. */
  addSecret(value: string): void {
    if (!value) return;
    this.masker.add(value);
    if (!this.secrets.includes(value)) this.secrets.push(value);
  }

  mask(text: string): string {
    return this.masker.mask(text);
  }

  /**
   * Appends text to the step's log after masking it, one entry per line, and tracks
   * `##[group]` sections.
   */
  write(text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    for (const line of this.mask(text).split(/\r\n|\r|\n/)) this.writeLine(line, stream);
  }

  private writeLine(masked: string, stream: 'stdout' | 'stderr'): void {
    this.log.push(masked);
    if (masked.startsWith('##[group]')) {
      this.openGroup = { name: masked.substring('##[group]'.length), lines: [], closed: false };
      this.groups.push(this.openGroup);
    } else if (masked.startsWith('##[endgroup]')) {
      if (this.openGroup) this.openGroup.closed = true;
      this.openGroup = undefined;
    } else {
      this.openGroup?.lines.push(masked);
    }
    this.sink?.(masked, stream);
  }

  /** Records an issue and writes it to the log as `##[error]` or `##[warning]`. */
  addIssue(type: 'error' | 'warning', message: string, properties: Record<string, string> = {}): void {
    const masked = this.mask(message);
    this.issues.push({ type, message: masked, properties });
    if (masked) this.write(`##[${type}]${masked}`);
  }

  error(message: string): void {
    this.addIssue('error', message);
  }

  warning(message: string): void {
    this.addIssue('warning', message);
  }

  /** Writes a `##[debug]` line, shown only when the job variable system.debug is true. */
  debug(message: string): void {
    if (this.debugEnabled) this.write(`##[debug]${message}`);
  }

  /** Records that a logging command could not be processed, which fails the step. */
  failCommand(line: string, reason: string): void {
    this.error(`Could not process the logging command '${line}': ${reason}`);
    this.commandResult = mergeResults(this.commandResult, 'Failed');
  }
}
