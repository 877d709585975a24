// Deletes what a run created. Each create registers its delete at once. All deletes run at the
// end, in parallel and each with its own time limit, so that they fit in the few seconds the
// agent allows after it cancels a run.
import * as tl from 'azure-pipelines-task-lib/task';
import { loc } from './messages';

const DELETE_TIMEOUT_MS = 6_000;

interface CleanupAction {
  description: string;
  action: () => Promise<void>;
}

export class Cleanup {
  private readonly actions: CleanupAction[] = [];

  /**
   * Registers a delete; `description` names the object, such as `pod ns/name`. The returned
   * function withdraws it, for an object whose create was rejected.
   */
  add(description: string, action: () => Promise<void>): () => void {
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
    const results = await Promise.all(pending.map((entry) => runWithTimeout(entry)));
    return results.filter((failed): failed is string => failed !== undefined);
  }
}

async function runWithTimeout(entry: CleanupAction): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${DELETE_TIMEOUT_MS / 1000} s`)), DELETE_TIMEOUT_MS);
  });
  try {
    await Promise.race([entry.action(), timeout]);
    console.log(loc('Deleted', entry.description));
    return undefined;
  } catch (error) {
    tl.warning(loc('DeleteFailed', entry.description, error instanceof Error ? error.message.split('\n')[0] : String(error)));
    return entry.description;
  } finally {
    clearTimeout(timer);
  }
}
