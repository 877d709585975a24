// User-facing wording lives in task.json `messages`; this module looks it up.
import * as path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';

let resourcesLoaded = false;

/**
 * Formats the task.json message `key` with `args`. task.json sits one folder above both
 * the source files and the bundle in dist/, so the same path works in tests and at run time.
 */
export function loc(key: string, ...args: unknown[]): string {
  if (!resourcesLoaded) {
    tl.setResourcePath(path.join(__dirname, '..', 'task.json'), true);
    resourcesLoaded = true;
  }
  return tl.loc(key, ...args);
}
