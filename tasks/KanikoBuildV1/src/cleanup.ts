// Deletes what a run created. Each create registers its delete at once. All deletes run at the
// end, in parallel and each with its own time limit, so that they fit in the few seconds the
// agent allows after it cancels a run.
import * as tl from 'azure-pipelines-task-lib/task';
import { loc } from './messages';

/**
 * The time limit of each delete, retries included. The agent sends SIGTERM 7.5 s after SIGINT,
 * and the deletes start a few milliseconds after SIGINT, so the step ends well before that.
 */
export const DELETE_TIMEOUT_MS = 6_000;

/**
 * The task variable that records for the post-job step whether the build step left anything. The
 * build step sets it to `true` when it starts, to `false` before its first create, and to `true`
 * again once it has deleted everything it created. A killed build step leaves it `false`.
 */
export const CLEANUP_DONE_VARIABLE = 'KANIKO_BUILD_CLEANUP_DONE';

/** A delete; it must stop its requests and retries when `signal` aborts at the time limit. */
export type DeleteAction = (signal: AbortSignal) => Promise<void>;

interface CleanupAction {
  description: string;
  action: DeleteAction;
}

export class Cleanup {
  private readonly actions: CleanupAction[] = [];

  /** `timeoutMs` is the time limit of each delete. */
  constructor(private readonly timeoutMs = DELETE_TIMEOUT_MS) {}

  /**
   * Registers a delete; `description` names the object, such as `pod ns/name`. The returned
   * function withdraws it, for an object whose create was rejected.
   */
  add(description: string, action: DeleteAction): () => void {
    const entry = { description, action };
    this.actions.push(entry);
    return () => {
      const index = this.actions.indexOf(entry);
      if (index >= 0) this.actions.splice(index, 1);
    };
  }

  get size(): number {
    return this.actions.length;
  }

  /** Runs every delete once and returns the descriptions of those that failed. */
  async runAll(): Promise<string[]> {
    const pending = this.actions.splice(0);
    const results = await Promise.all(pending.map((entry) => runWithTimeout(entry, this.timeoutMs)));
    return results.filter((failed): failed is string => failed !== undefined);
  }
}

async function runWithTimeout(entry: CleanupAction, timeoutMs: number): Promise<string | undefined> {
  const deadline = new AbortController();
  const timeout = new Promise<never>((_, reject) => {
    deadline.signal.addEventListener('abort', () => reject(deadline.signal.reason), { once: true });
  });
  const timer = setTimeout(() => deadline.abort(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs);
  try {
    // The race also ends an action that ignores its signal.
    await Promise.race([entry.action(deadline.signal), timeout]);
    console.log(loc('Deleted', entry.description));
    return undefined;
  } catch (thrown) {
    // A request aborted at the time limit fails with an abort error; the time limit is the cause to show.
    const error: unknown = deadline.signal.aborted ? deadline.signal.reason : thrown;
    tl.warning(loc('DeleteFailed', entry.description, error instanceof Error ? error.message.split('\n')[0] : String(error)));
    return entry.description;
  } finally {
    clearTimeout(timer);
  }
}
