// The packing and startup benchmark:
//   npx tsx tools/bench/run.ts [--only NAMES] [--quick] [--runs N] [--task-runs N] [--seed N] [--keep] [--json FILE]
// It generates seeded build contexts in a temporary folder, times the task's packing against
// tar | gzip and tar | pigz, measures the task's memory, upload and start and exit times, and
// the .vsix size, then prints the figures with their targets. Exit code 0 means everything ran,
// whether or not the targets were met; 1 means something could not run. docs/performance.md
// describes the figures.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type AzuriteBlob } from '../azurite';
import { generateContext } from './contexts';
import { bundleDriver } from './driver';
import { buildTask, packageExtension } from './extension';
import type { BenchFigures, ContextFigures } from './figures';
import { describeMachine } from './machine';
import { measureContext } from './measure';
import { parseOptions, USAGE, type BenchOptions } from './options';
import { formatReport, summarize } from './report';
import { measureTaskRuns } from './task-runs';

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 1;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const machine = describeMachine();
  const figures: BenchFigures = {
    date: new Date().toISOString(), machine, scale: options.scale, runs: options.runs, loadAverage: { start: loadavg()[0] },
    contexts: [], errors: [],
  };
  if (machine.pigz === 'not installed') {
    figures.errors.push('pigz is not installed, so its column is empty. Install it with `apt-get install pigz` (Debian and Ubuntu).');
  }
  const workDir = mkdtempSync(join(tmpdir(), 'kaniko-bench-'));
  let azurite: AzuriteBlob | undefined;
  try {
    azurite = await startAzurite({ location: join(workDir, 'azurite') });
    await benchContexts(options, figures, workDir, azurite);
    await benchTask(options, figures, workDir, azurite);
  } finally {
    await azurite?.stop();
    if (options.keep) console.log(`\nKept the temporary folder ${workDir}: contexts/ has the generated contexts, azurite/ the uploads.`);
    else rmSync(workDir, { recursive: true, force: true });
  }

  figures.loadAverage.end = loadavg()[0];
  console.log(`\n${formatReport(figures)}`);
  if (options.json) writeFileSync(options.json, `${JSON.stringify({ ...figures, summary: summarize(figures) }, null, 2)}\n`);
  return figures.errors.length > 0 ? 1 : 0;
}

/** Generates each selected context and measures the packing contenders on it. */
async function benchContexts(options: BenchOptions, figures: BenchFigures, workDir: string, azurite: AzuriteBlob): Promise<void> {
  if (options.contexts.length === 0) return;
  const notRun = (name: string): ContextFigures => ({ name, files: 0, bytes: 0, seconds: {}, archiveBytes: {} });
  let driver: string;
  try {
    driver = await bundleDriver(join(workDir, 'driver'));
  } catch (error) {
    figures.errors.push(`Bundling the task driver tools/bench/task-pack.ts failed: ${(error as Error).message}`);
    figures.contexts.push(...options.contexts.map(notRun));
    return;
  }
  const setup = {
    driver, azurite, runs: options.runs, cores: figures.machine.cores, pigz: figures.machine.pigz !== 'not installed',
    log: (line: string) => console.log(line),
    error: (message: string) => figures.errors.push(message),
  };
  for (const name of options.contexts) {
    try {
      const context = await generateContext(name, join(workDir, 'contexts'), { seed: options.seed, scale: options.scale });
      console.log(`${name}: generated ${context.files} files, ${(context.bytes / 1e6).toFixed(1)} MB`);
      figures.contexts.push(await measureContext(context, setup));
    } catch (error) {
      figures.errors.push(`${name}: ${(error as Error).message}`);
      figures.contexts.push(notRun(name));
    }
  }
}

/** Builds the task, then times its runs through the agent-like runner and packages the extension. */
async function benchTask(options: BenchOptions, figures: BenchFigures, workDir: string, azurite: AzuriteBlob): Promise<void> {
  if (!options.taskRuns && !options.vsix) return;
  if (options.taskRuns) figures.taskRuns = { firstLineSeconds: [], exitSeconds: [] };
  if (options.vsix) figures.vsix = {};
  try {
    buildTask();
  } catch (error) {
    figures.errors.push((error as Error).message);
    return;
  }
  if (options.taskRuns) {
    const folder = join(workDir, 'task-runs');
    mkdirSync(folder);
    console.log('Running the bundled task through the agent-like runner');
    try {
      figures.taskRuns = await measureTaskRuns({ azurite, runs: options.taskRunCount, folder, log: (line) => console.log(line) });
    } catch (error) {
      figures.errors.push(`task runs: ${(error as Error).message}`);
    }
  }
  if (options.vsix) {
    const folder = join(workDir, 'vsix');
    mkdirSync(folder);
    try {
      figures.vsix = { bytes: packageExtension(folder) };
    } catch (error) {
      figures.errors.push((error as Error).message);
    }
  }
}

main().then((code) => {
  process.exitCode = code;
}, (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
