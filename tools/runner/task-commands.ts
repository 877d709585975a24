// Applies the `task` area's logging commands to a step, following the agent's
// TaskCommandExtension.cs (microsoft/azure-pipelines-agent). A handler throws CommandError
// where the agent's command throws, and the caller then fails the step.
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
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
  uploadfile: uploadFile,
  addattachment: addAttachment,
  // Accepted, but they change nothing that the runner reports.
  setprogress: () => undefined,
  logdetail: () => undefined,
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

/**
 * The attachment type of `task.uploadsummary`, CoreAttachmentType.Summary in the agent.
 * NOTE: the constant comes from a Microsoft package whose source is not public. The logging
 * command docs spell it `Distributedtask.Core.Summary`, so types are compared ignoring case.
 */
export const SUMMARY_ATTACHMENT_TYPE = 'DistributedTask.Core.Summary';
/** CoreAttachmentType.FileAttachment, the type of `task.uploadfile`, spelled as the logging command docs spell it. */
const FILE_ATTACHMENT_TYPE = 'DistributedTask.Core.FileAttachment';

// `task.uploadsummary` and `task.uploadfile` attach the file under its own file name
// (Path.GetFileName), after checking that the path is not empty.
function uploadSummary(step: StepContext, command: LoggingCommand): void {
  if (!command.data) throw new CommandError('the summary file path is missing');
  attach(step, SUMMARY_ATTACHMENT_TYPE, fileName(command.data), command.data);
}

function uploadFile(step: StepContext, command: LoggingCommand): void {
  if (!command.data) throw new CommandError('the file path is missing');
  attach(step, FILE_ATTACHMENT_TYPE, fileName(command.data), command.data);
}

function addAttachment(step: StepContext, command: LoggingCommand): void {
  attach(step, command.properties.type ?? '', command.properties.name ?? '', command.data);
}

// .NET's Path.GetFileName on Linux: the text after the last `/`, empty for a path that ends with one.
function fileName(path: string): string {
  return path.substring(path.lastIndexOf('/') + 1);
}

/**
 * Checks an attachment as the agent's TaskAddAttachmentCommand.AddAttachment does, and records
 * it. The agent resolves a relative path against its worker's working directory (its bin
 * folder), not the task's, and File.Exists is false for a folder. The agent uploads the file
 * later from a queue, so the runner reads it when the step ends.
 */
function attach(step: StepContext, type: string, name: string, data: string): void {
  if (!type) throw new CommandError('the attachment type is missing');
  if (!name) throw new CommandError('the attachment name is missing');
  // Path.GetInvalidFileNameChars() on Linux: NUL and `/`.
  if (/[\0/]/.test(type)) throw new CommandError(`the attachment type '${type}' contains an invalid character`);
  if (/[\0/]/.test(name)) throw new CommandError(`the attachment name '${name}' contains an invalid character`);
  const path = isAbsolute(data) ? data : resolve(step.workerDirectory, data);
  if (!data || !isFile(path)) throw new CommandError(`the attachment file '${data}' does not exist`);
  step.attachments.push({ type, name, path });
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
