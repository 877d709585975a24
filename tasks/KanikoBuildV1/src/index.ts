// Entry point: runs the task, turns the agent's cancel signals into an abort, and sets the result.
import * as tl from 'azure-pipelines-task-lib/task';
import { setMaxListeners } from 'node:events';
import { loc } from './messages';
import { run } from './main';
import { publishSummary } from './summary/publish';
import { RunReport, type RunResult } from './summary/run-report';

async function main(): Promise<void> {
  // The agent cancels with SIGINT, then SIGTERM 7.5 s later, then kills the process 2.5 s
  // after that. The first signal aborts the run so that its cleanup starts at once.
  const cancel = new AbortController();
  // Every API call and retry wait of the run listens on this signal, up to one per permission
  // review at once, so Node's default limit of 10 listeners would print a false leak warning.
  setMaxListeners(100, cancel.signal);
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!cancel.signal.aborted) console.log(loc('Cancelling', signal));
    cancel.abort(new Error(loc('Cancelled', signal)));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const report = new RunReport();
  let result: RunResult = 'Failed';
  try {
    const outcome = await run(cancel.signal, report);
    if (outcome.succeeded) console.log(outcome.message);
    result = outcome.succeeded ? 'Succeeded' : 'Failed';
    tl.setResult(outcome.succeeded ? tl.TaskResult.Succeeded : tl.TaskResult.Failed, outcome.message);
  } catch (error) {
    const message = cancel.signal.aborted
      ? (cancel.signal.reason as Error).message
      : error instanceof Error ? error.message : String(error);
    if (cancel.signal.aborted) result = 'Canceled';
    tl.setResult(tl.TaskResult.Failed, message);
  }
  publishSummary(report, result);
}

// The HTTP clients keep idle keep-alive connections open for seconds after the result is set.
// Exiting here ends the step as soon as the run is over.
void main().finally(() => process.exit());
