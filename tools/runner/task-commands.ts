// Applies the `task` area's logging commands to a step, following the agent's
// TaskCommandExtension.cs (microsoft/azure-pipelines-agent). A handler throws CommandError
// where the agent's command throws, and the caller then fails the step.
import { existsSync } from 'node:fs';
import { escapeCommandText } from './commands';
import { mergeResults, parseResultName, type StepContext } from './step-context';
import type { LoggingCommand } from './types';

export class CommandError extends Error {}

type Handler = (step: StepContext, command: LoggingCommand) => void;

/** Events of the `task` area, by name and alias. */
export const TASK_COMMANDS: Record<string, Handler> = {
  setvariable: setVariable,
  settaskvariable: setTaskVariable,
  setsecret: (step, command) => step.addSecret(command.data),
  complete: complete,
  logissue: logIssue,
  issue: logIssue,
  debug: (step, command) => step.debug(command.data),
  uploadsummary: uploadSummary,
  // Accepted, but they change nothing that the runner reports.
  setprogress: () => undefined,
  logdetail: () => undefined,
  uploadfile: () => undefined,
  addattachment: () => undefined,
  setendpoint: () => undefined,
  prependpath: () => undefined,
};

/** `task` events the agent allows when task.json sets `restrictions.commands.mode` to `restricted`. */
export const RESTRICTED_MODE_COMMANDS = new Set([
  'logdetail', 'logissue', 'issue', 'complete', 'setprogress', 'setsecret', 'setvariable', 'debug',
  'settaskvariable', 'prependpath',
]);

// .NET's Boolean.TryParse: "true" or "false" in any case; anything else is false.
function parseBoolean(text: string | undefined): boolean {
  return text?.trim().toLowerCase() === 'true';
}

function rejectMultilineSecret(data: string): void {
  if (data.includes('\n')) throw new CommandError('a secret value must not contain line breaks');
}

function setVariable(step: StepContext, command: LoggingCommand): void {
  const name = command.properties.variable;
  if (!name) throw new CommandError("the 'variable' property is missing");
  const isSecret = parseBoolean(command.properties.issecret);
  if (isSecret) {
    rejectMultilineSecret(command.data);
    // The agent masks both the value and its escaped form as written in the command.
    step.addMask(escapeCommandText(command.data));
    step.addSecret(command.data);
  }
  step.variables[name] = {
    value: command.data,
    isSecret,
    isOutput: parseBoolean(command.properties.isoutput),
    isReadOnly: parseBoolean(command.properties.isreadonly),
  };
}

function setTaskVariable(step: StepContext, command: LoggingCommand): void {
  const name = command.properties.variable;
  if (!name) throw new CommandError("the 'variable' property is missing");
  const isSecret = parseBoolean(command.properties.issecret);
  if (isSecret) {
    rejectMultilineSecret(command.data);
    step.addSecret(command.data);
  }
  step.taskVariables[name] = { value: command.data, isSecret };
}

function complete(step: StepContext, command: LoggingCommand): void {
  const result = parseResultName(command.properties.result ?? '');
  if (!result) {
    throw new CommandError(`the result '${command.properties.result ?? ''}' is not a valid task result`);
  }
  step.result = mergeResults(step.result, result);
  if (parseBoolean(command.properties.done)) step.doneRequested = true;
}

function logIssue(step: StepContext, command: LoggingCommand): void {
  const type = command.properties.type;
  if (type === undefined) {
    step.warning('A task.logissue command without a type was ignored.');
    return;
  }
  const normalized = type.toLowerCase();
  if (normalized !== 'error' && normalized !== 'warning') {
    throw new CommandError(`the issue type '${type}' is neither error nor warning`);
  }
  const properties = { ...command.properties };
  delete properties.type;
  step.addIssue(normalized, command.data, properties);
}

function uploadSummary(step: StepContext, command: LoggingCommand): void {
  if (!command.data) throw new CommandError('the summary file path is missing');
  if (!existsSync(command.data)) throw new CommandError(`the summary file ${command.data} does not exist`);
  step.summaryPaths.push(command.data);
}
