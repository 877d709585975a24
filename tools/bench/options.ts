// The benchmark's command line.
import { parseArgs } from 'node:util';
import { CONTEXT_NAMES, type ContextName } from './contexts';

export const USAGE = `Usage: npx tsx tools/bench/run.ts [options]

  --only NAMES     run only these parts, separated by commas: ${CONTEXT_NAMES.join(', ')}, task-runs, vsix
  --quick          generate the contexts at 1/100 of their size, and run the task 2 times unless --task-runs is given
  --runs N         times each packing contender runs on each context; the median counts (default 3)
  --task-runs N    times the bundled task runs through the agent-like runner (default 5)
  --seed N         seed of the generated contexts (default 1)
  --keep           keep the temporary folder with the generated contexts and print its path
  --json FILE      also write the figures and the summary to FILE as JSON
  --help           print this text`;

const SECTIONS = ['task-runs', 'vsix'] as const;
type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  contexts: ContextName[];
  taskRuns: boolean;
  vsix: boolean;
  /** Fraction of the full context sizes. */
  scale: number;
  runs: number;
  taskRunCount: number;
  seed: number;
  keep: boolean;
  json?: string;
  help: boolean;
}

/** Parses the arguments; throws an error naming the invalid option and value. */
export function parseOptions(args: string[]): BenchOptions {
  const { values } = parseArgs({
    args,
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      runs: { type: 'string', default: '3' },
      'task-runs': { type: 'string' },
      seed: { type: 'string', default: '1' },
      keep: { type: 'boolean', default: false },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const only = values.only === undefined ? undefined : parseOnly(values.only);
  const selected = (name: ContextName | Section): boolean => only === undefined || only.includes(name);
  return {
    contexts: CONTEXT_NAMES.filter(selected),
    taskRuns: selected('task-runs'),
    vsix: selected('vsix'),
    scale: values.quick ? 0.01 : 1,
    runs: wholeNumber('--runs', values.runs, 1),
    taskRunCount: wholeNumber('--task-runs', values['task-runs'] ?? (values.quick ? '2' : '5'), 1),
    seed: wholeNumber('--seed', values.seed, 0),
    keep: values.keep,
    json: values.json,
    help: values.help,
  };
}

function parseOnly(text: string): (ContextName | Section)[] {
  const known: readonly string[] = [...CONTEXT_NAMES, ...SECTIONS];
  const names = text.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !known.includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(`Invalid --only ${JSON.stringify(text)}: use one or more of ${known.join(', ')}, separated by commas.`);
  }
  return names as (ContextName | Section)[];
}

function wholeNumber(option: string, text: string, minimum: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < minimum) {
    throw new Error(`Invalid ${option} ${JSON.stringify(text)}: use a whole number of ${minimum} or more.`);
  }
  return value;
}
