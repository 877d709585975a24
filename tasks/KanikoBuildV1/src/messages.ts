// User-facing wording lives in task.json `messages`. This module looks it up, and reads the task's
// name and version from the same file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';

/** task.json sits one folder above both the source files and the bundle in dist/, so the same path works in tests and at run time. */
const TASK_JSON = path.join(__dirname, '..', 'task.json');

let resourcesLoaded = false;

/** Formats the task.json message `key` with `args`. */
export function loc(key: string, ...args: unknown[]): string {
  if (!resourcesLoaded) {
    tl.setResourcePath(TASK_JSON, true);
    resourcesLoaded = true;
  }
  return tl.loc(key, ...args);
}

/** Returns the task's `friendlyName` and version from task.json, such as `Kaniko Build on AKS` and `1.2.0`. */
export function taskNameAndVersion(): { name: string; version: string } {
  const task = JSON.parse(fs.readFileSync(TASK_JSON, 'utf8')) as { friendlyName: string; version: { Major: number; Minor: number; Patch: number } };
  const { Major, Minor, Patch } = task.version;
  return { name: task.friendlyName, version: `${Major}.${Minor}.${Patch}` };
}
