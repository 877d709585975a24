// Decides a step's result from its logging commands and how its process ended, in the order
// the agent applies them (StepsRunner.cs and ProcessInvoker.cs in microsoft/azure-pipelines-agent).
// A timeout fails the step, a cancel cancels it, and a non-zero exit fails it. Each of these
// replaces what `task.complete` set. A logging command the agent could not process then fails
// the step unless it was canceled or skipped. Without any of these the step succeeded.
import { mergeResults, type StepContext } from './step-context';
import type { ProcessOutcome } from './task-process';
import type { TaskResultName } from './types';

export type ProcessEnd = Pick<ProcessOutcome, 'exitCode' | 'signal' | 'canceled' | 'timedOut' | 'forceCompleted'>;

/** Returns the step's result and logs the errors the agent logs for a timeout, cancel or exit code. */
export function decideResult(step: StepContext, end: ProcessEnd, script: string): TaskResultName {
  let result = step.result;
  if (end.timedOut) {
    step.error('The task has timed out.');
    result = 'Failed';
  } else if (end.canceled) {
    step.error('The operation was canceled.');
    result = 'Canceled';
  } else if (!end.forceCompleted && end.exitCode !== 0) {
    step.error(`The task process ${script} ended with ${describeEnd(end)}.`);
    result = 'Failed';
  }
  if (step.commandResult) result = mergeResults(result, step.commandResult);
  return result ?? 'Succeeded';
}

function describeEnd(end: ProcessEnd): string {
  return end.exitCode === null ? `signal ${end.signal ?? 'unknown'}` : `exit code ${end.exitCode}`;
}
