// Entry point of the post-job step (task.json `postjobexecution`). It deletes what a killed build
// step of this job left behind, and never fails the job: every problem becomes a warning.
import * as tl from 'azure-pipelines-task-lib/task';
import { loc } from './messages';
import { cleanUpAfterJob } from './post-job/clean-up';

async function main(): Promise<void> {
  // A cancel of the post-job step stops its requests at once, as in the build step.
  const cancel = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => cancel.abort(new Error(loc('Cancelled', signal)));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    await cleanUpAfterJob(cancel.signal);
  } catch (error) {
    let reason = error instanceof Error ? error.message : String(error);
    if (cancel.signal.aborted) reason = (cancel.signal.reason as Error).message;
    tl.warning(loc('PostCleanupFailed', reason.split('\n')[0]));
  }
}

// The HTTP clients keep idle keep-alive connections open for seconds; exiting ends the step at once.
void main().finally(() => process.exit());
