// Runs the shell pipelines of the benchmark: the page cache warm-up and the tar | gzip and
// tar | pigz contenders, each ending in `wc -c` so that the archive size comes back on stdout.
import { spawn, spawnSync } from 'node:child_process';

export interface ShellResult {
  seconds: number;
  /** The number `wc -c` printed: the size of the pipeline's output. */
  bytes: number;
}

/** `tar | gzip -6` as a developer would pack the context by hand. */
export const GZIP_PIPELINE = 'tar -cf - . | gzip -6 | wc -c';

/** `tar | pigz -6` with one compression thread per core. */
export function pigzPipeline(cores: number): string {
  return `tar -cf - . | pigz -6 -p ${cores} | wc -c`;
}

/**
 * Reads every file of the folder once, so that every contender then reads from the page cache.
 * Piping into `wc` matters: GNU tar skips reading file contents when it writes to /dev/null.
 */
export const WARM_UP_PIPELINE = 'tar -cf - . | wc -c';

/** Runs `pipeline` with bash in `folder` and times it; rejects when any command of it fails. */
export function timePipeline(pipeline: string, folder: string): Promise<ShellResult> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('bash', ['-o', 'pipefail', '-c', pipeline], { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) {
        reject(new Error(`\`${pipeline}\` in ${folder} failed with exit code ${code}: ${stderr.trim()}`));
        return;
      }
      resolve({ seconds, bytes: Number(stdout.trim()) });
    });
  });
}

/**
 * Writes the dirty pages of the folder's file system to disk (`sync -f`, GNU coreutils 8.24 and
 * later), so that the kernel's write-back of generated or uploaded files does not run during the
 * next timed contender.
 */
export function syncFileSystem(folder: string): void {
  const result = spawnSync('sync', ['-f', folder], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(`sync -f ${folder} failed: ${result.error?.message ?? result.stderr.trim()}`);
  }
}

/** Returns the first line of `program --version`, or undefined when the program is not installed. */
export function programVersion(program: string): string | undefined {
  const result = spawnSync(program, ['--version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  // Read both streams, so that a version printed on either is found.
  return `${result.stdout}${result.stderr}`.trim().split('\n')[0];
}
