// Builds the task bundle and packages the extension with the project's own scripts.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Runs `npm run build`'s script, tools/build.mjs, so that the task runs measure the current sources. */
export function buildTask(): void {
  runNode([join(ROOT, 'tools', 'build.mjs')], 'Building the task bundle (tools/build.mjs)');
}

/** Packages the extension into `folder` with tools/package.mjs and returns the .vsix size in bytes. */
export function packageExtension(folder: string): number {
  runNode([join(ROOT, 'tools', 'package.mjs'), '--output-path', folder], 'Packaging the extension (tools/package.mjs)');
  const vsix = readdirSync(folder).find((name) => name.endsWith('.vsix'));
  if (!vsix) throw new Error(`tools/package.mjs wrote no .vsix into ${folder}.`);
  return statSync(join(folder, vsix)).size;
}

function runNode(args: string[], description: string): void {
  const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  if (result.error) throw new Error(`${description} could not start: ${result.error.message}`, { cause: result.error });
  if (result.status !== 0) {
    throw new Error(`${description} failed with exit code ${result.status}:\n${`${result.stdout}${result.stderr}`.trim()}`);
  }
}
