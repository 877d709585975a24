// Bundles task-pack.ts into a driver that plain `node` runs, and runs it once per measurement,
// so that the task's code runs without tsx's loader and its memory figure is the task's own.
// The bundle is minified as the task's is, because V8 keeps each loaded script's source in memory.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DriverReport, DriverRequest } from './protocol';

const ROOT = join(__dirname, '..', '..');
const TASK_DIR = join(ROOT, 'tasks', 'KanikoBuildV1');

/**
 * Bundles the driver into `folder`/dist, laid out like the task's own bundle: task-lib's
 * resources beside it and task.json one folder up, where the task's message lookup reads it.
 * Returns the bundle's path.
 */
export async function bundleDriver(folder: string): Promise<string> {
  const dist = join(folder, 'dist');
  mkdirSync(dist, { recursive: true });
  const bundle = join(dist, 'task-pack.js');
  await build({
    entryPoints: [join(__dirname, 'task-pack.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    // The same workaround for ES-module dependencies as tools/build.mjs.
    banner: { js: "const __bundleFileUrl = require('node:url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__bundleFileUrl' },
    logLevel: 'warning',
  });
  const taskLib = dirname(createRequire(__filename).resolve('azure-pipelines-task-lib/package.json'));
  cpSync(join(taskLib, 'lib.json'), join(dist, 'lib.json'));
  cpSync(join(taskLib, 'Strings'), join(dist, 'Strings'), { recursive: true });
  cpSync(join(TASK_DIR, 'task.json'), join(folder, 'task.json'));
  return bundle;
}

/** Runs the driver once and returns the report on the last line of its stdout; rejects with its stderr when it fails. */
export function runDriver(bundle: string, request: DriverRequest): Promise<DriverReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code !== 0) {
        reject(new Error(`The task driver (${request.mode} ${request.contextDir}) failed with ${signal ?? `exit code ${code}`}: ${stderr.trim()}`));
        return;
      }
      // task-lib prints `##vso[task.debug]` lines when it loads; the report is the last line.
      const lastLine = stdout.trimEnd().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(lastLine) as DriverReport);
      } catch (error) {
        reject(new Error(`The task driver printed no JSON report: ${stdout.trim()} ${stderr.trim()}`, { cause: error }));
      }
    });
    child.stdin.end(JSON.stringify(request));
  });
}
