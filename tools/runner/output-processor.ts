// Handles each line a task writes, on stdout or stderr alike, as the agent's Node handler
// does: a logging command is processed and left out of the log, any other line is masked and
// shown (WorkerCommandManager.cs in microsoft/azure-pipelines-agent).
import { mentionsLoggingCommand, parseLoggingCommand } from './commands';
import type { StepContext } from './step-context';
import { CommandError, RESTRICTED_MODE_COMMANDS, TASK_COMMANDS } from './task-commands';
import type { TaskRestrictions } from './task-definition';
import type { LoggingCommand } from './types';

// Command areas the agent has extensions for. Only `task` changes what the runner reports.
const KNOWN_AREAS = new Set(['task', 'artifact', 'build', 'release', 'codecoverage', 'telemetry']);

export class OutputProcessor {
  constructor(
    private readonly step: StepContext,
    private readonly restrictions: TaskRestrictions,
  ) {}

  /** Processes one output line (without its line break). */
  processLine(line: string, stream: 'stdout' | 'stderr'): void {
    const command = parseLoggingCommand(line);
    if (!command) {
      if (mentionsLoggingCommand(line)) {
        this.step.warning(`The line '${line}' contains '##vso' but is not a valid logging command.`);
      }
      this.step.write(line, stream);
      return;
    }
    this.step.commands.push(command);
    this.dispatch(line, command);
    if (!(command.area === 'task' && command.event === 'debug')) {
      this.step.debug(`Processed: ${line}`);
    }
  }

  private dispatch(line: string, command: LoggingCommand): void {
    if (!KNOWN_AREAS.has(command.area)) {
      this.step.warning(`No command extension handles the area '${command.area}' of '##vso[${command.area}.${command.event}]'.`);
      return;
    }
    if (command.area !== 'task') return;

    const handler = TASK_COMMANDS[command.event];
    if (!handler) {
      this.step.failCommand(line, `'${command.event}' is not a command of the task area`);
      return;
    }
    if (!this.isAllowed(command)) return;
    try {
      handler(this.step, command);
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      this.step.failCommand(line, error.message);
    }
  }

  // A blocked command or variable only gets a warning, as in the agent's TaskRestrictionsChecker.
  private isAllowed(command: LoggingCommand): boolean {
    if (this.restrictions.commandMode === 'restricted' && !RESTRICTED_MODE_COMMANDS.has(command.event)) {
      this.step.warning(`##vso[task.${command.event}] is not allowed because task.json restricts commands.`);
      return false;
    }
    const allowed = this.restrictions.settableVariables;
    const name = command.properties.variable;
    if (command.event === 'setvariable' && allowed && name && !allowed.some((p) => matchesPattern(name, p))) {
      // The agent registers a secret value before it checks the name, so it stays masked.
      if (command.properties.issecret?.toLowerCase() === 'true') this.step.addSecret(command.data);
      this.step.warning(`Setting the variable '${name}' is not allowed by task.json's settableVariables.`);
      return false;
    }
    return true;
  }
}

/**
 * Matches a variable name against a settableVariables pattern, ignoring case. `*` matches any
 * run of characters and `?` one character. NOTE: the agent uses minimatch, which also supports
 * brace and bracket patterns, so such patterns in task.json are matched literally here.
 */
export function matchesPattern(name: string, pattern: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'i').test(name);
}
