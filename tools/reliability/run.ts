// Command line of the reliability suite:
//   npx tsx tools/reliability/run.ts [--seed N] [--fast] [--only 3,17] [--echo] [--node PATH]
// It needs the bundled task (npm run build). Exit code 0 means every figure is perfect.
import { parseArgs } from 'node:util';
import { FAST, FULL } from './matrix';
import { formatReport, figuresOf, isPerfect } from './report';
import { runSuite } from './suite';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '1' },
      fast: { type: 'boolean', default: false },
      only: { type: 'string' },
      echo: { type: 'boolean', default: false },
      node: { type: 'string' },
    },
  });
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer, not ${JSON.stringify(values.seed)}.`);
  const only = values.only?.split(',').map((text) => Number(text.trim()));
  if (only?.some((index) => !Number.isInteger(index) || index < 1)) {
    throw new Error(`--only takes run numbers separated by commas, such as 3,17, not ${JSON.stringify(values.only)}.`);
  }
  const report = await runSuite({
    seed, size: values.fast ? FAST : FULL, only, echo: values.echo, nodePath: values.node,
    onRun: (run) => console.log(`${run.problems.length ? 'WRONG' : 'ok   '} #${run.scenario.index} ${run.scenario.title} `
      + `(${run.result}, ${(run.durationMs / 1000).toFixed(1)} s)${run.problems.length ? `: ${run.problems.join('; ')}` : ''}`),
  });
  console.log(`\n${formatReport(report)}`);
  return isPerfect(figuresOf(report)) ? 0 : 1;
}

main().then((code) => {
  process.exitCode = code;
}, (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
});
