// Runs a bundled task the way the Azure Pipelines agent runs a Node handler step, and reports
// what the agent would record: the result, the masked log, issues, variables and secrets.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { createAgentDirectories } from './agent-variables';
import { decideResult } from './outcome';
import { prepareStep } from './prepare-step';
import { readTaskDefinition, selectNodeHandler } from './task-definition';
import { AGENT_SIGNAL_TIMEOUTS, runTaskProcess } from './task-process';
import { SUMMARY_ATTACHMENT_TYPE } from './task-commands';
import type { TaskAttachment, TaskRunOptions, TaskRunResult, TaskSummary } from './types';

/**
 * Runs the task's handler for one stage in a fresh agent folder tree and reports the outcome.
 * @throws Error before the task starts when task.json, an input name, an endpoint id or the
 *   Node.js binary is invalid. A task that fails, exits non-zero, is canceled or times out is
 *   reported in the result.
 */
export async function runTask(options: TaskRunOptions): Promise<TaskRunResult> {
  const started = Date.now();
  const definition = readTaskDefinition(options.taskDir);
  const nodePath = resolveNodePath(options.nodePath);
  const handler = selectNodeHandler(definition, options.stage ?? 'main', options.taskDir, nodeMajorVersion(nodePath));

  const directories = createAgentDirectories(options.sourcesDirectory);
  try {
    const { step, processor, env, cwd } = prepareStep(options, definition, handler, directories);

    const outcome = await runTaskProcess({
      nodePath,
      script: handler.target,
      cwd,
      env,
      timeoutMs: options.timeoutMs,
      cancel: options.cancel,
      signalTimeouts: { ...AGENT_SIGNAL_TIMEOUTS, ...options.signalTimeouts },
      onLine: (line, stream) => {
        const doneBefore = step.doneRequested;
        processor.processLine(line, stream);
        return !doneBefore && step.doneRequested;
      },
    });
    const result = decideResult(step, outcome, handler.target);

    return {
      result,
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      handler: handler.name,
      nodePath,
      variables: step.variables,
      taskVariables: step.taskVariables,
      issues: step.issues,
      secrets: step.secrets,
      log: step.log,
      groups: step.groups,
      rawStdout: outcome.rawStdout,
      stderr: outcome.stderr,
      commands: step.commands,
      attachments: step.attachments,
      summaries: readSummaries(step.attachments),
      signalsSent: outcome.signalsSent,
      canceled: outcome.canceled,
      timedOut: outcome.timedOut,
      durationMs: Date.now() - started,
      directories,
    };
  } finally {
    if (!options.keepTempDir) rmSync(directories.root, { recursive: true, force: true });
  }
}

// A relative path would be looked up from the task's working directory, so it is made
// absolute. A bare name such as `node` is looked up in PATH.
function resolveNodePath(nodePath: string | undefined): string {
  if (nodePath === undefined) return process.execPath;
  return nodePath.includes('/') ? resolve(nodePath) : nodePath;
}

// Returns the binary's major version from `node -v`, which the agent also runs before a step,
// or from this process when it is the same binary.
function nodeMajorVersion(nodePath: string): number {
  if (nodePath === process.execPath) return Number(process.versions.node.split('.')[0]);
  if (nodePath.includes('/') && !existsSync(nodePath)) {
    throw new Error(`The Node.js binary ${nodePath} does not exist.`);
  }
  const version = execFileSync(nodePath, ['-v'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } }).trim();
  const major = Number(/^v(\d+)\./.exec(version)?.[1]);
  if (!Number.isInteger(major)) throw new Error(`${nodePath} -v printed '${version}', not a Node.js version.`);
  return major;
}

// The agent uploads an attachment from a queue after the command, at the latest when the job
// ends, so a summary is read when the step ends: before the run's folder, where tasks usually
// write it, is removed.
function readSummaries(attachments: TaskAttachment[]): TaskSummary[] {
  const summaries = attachments.filter((attachment) => attachment.type.toLowerCase() === SUMMARY_ATTACHMENT_TYPE.toLowerCase());
  return summaries.map((summary) => {
    try {
      return { ...summary, content: readFileSync(summary.path, 'utf8') };
    } catch {
      return { ...summary };
    }
  });
}
