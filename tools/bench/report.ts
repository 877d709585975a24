// Turns the figures into the printed tables and the summary of targets.
import type { BenchFigures, ContextFigures, TaskRunFigures } from './figures';
import { formatMegabytes, formatNumber, formatTable, maximum, median, ratio } from './stats';

export type Status = 'pass' | 'fail' | 'not run';

export interface SummaryRow {
  figure: string;
  /** Missing when the measurement could not run. */
  value?: number;
  /** The value as printed, with its unit. */
  shown: string;
  target: string;
  status: Status;
}

interface Target {
  comparison: '<=' | '>=' | '<' | '=';
  limit: number;
  unit: string;
}

const MB = 1_000_000;
const PACK_PER_PIGZ: Target = { comparison: '<=', limit: 1.15, unit: '' };
const GZIP_PER_PACK: Target = { comparison: '>=', limit: 1.7, unit: '' };
const UPLOAD_RSS: Target = { comparison: '<', limit: 150 * MB, unit: 'MB' };
const RERUN_BYTES: Target = { comparison: '=', limit: 0, unit: 'bytes' };
const FIRST_LINE: Target = { comparison: '<=', limit: 0.3, unit: 's' };
const EXIT: Target = { comparison: '<=', limit: 1, unit: 's' };
const VSIX: Target = { comparison: '<', limit: 3 * MB, unit: 'MB' };
/** The context whose pack+upload memory has a target. */
const RSS_CONTEXT = 'mixed-500mb';

/** Returns one row per figure that has a target, for the selected parts of the run. */
export function summarize(figures: BenchFigures): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const context of figures.contexts) {
    const { seconds } = context;
    rows.push(row(`task pack / pigz, ${context.name}`, ratio(seconds.taskPack, seconds.pigz), PACK_PER_PIGZ));
    rows.push(row(`gzip / task pack, ${context.name}`, ratio(seconds.gzip, seconds.taskPack), GZIP_PER_PACK));
  }
  const rssContext = figures.contexts.find((context) => context.name === RSS_CONTEXT);
  if (rssContext) rows.push(row(`peak RSS of pack+upload, ${RSS_CONTEXT}`, kibToBytes(rssContext.uploadRssKiB), UPLOAD_RSS));
  for (const context of figures.contexts) {
    rows.push(row(`bytes uploaded on rerun, ${context.name}`, context.rerunUploadBytes, RERUN_BYTES));
  }
  if (figures.taskRuns) {
    const { firstLineSeconds, exitSeconds } = figures.taskRuns;
    rows.push(row('process start to first log line, median', median(firstLineSeconds), FIRST_LINE));
    rows.push(row('process start to first log line, max', maximum(firstLineSeconds), FIRST_LINE));
    rows.push(row('pod termination to task exit, median', median(exitSeconds), EXIT));
    rows.push(row('pod termination to task exit, max', maximum(exitSeconds), EXIT));
  }
  if (figures.vsix) rows.push(row('VSIX size', figures.vsix.bytes, VSIX));
  return rows;
}

function row(figure: string, value: number | undefined, target: Target): SummaryRow {
  return { figure, value, shown: formatValue(value, target.unit), target: `${target.comparison} ${formatValue(target.limit, target.unit)}`, status: judge(value, target) };
}

/** Returns whether `value` meets the target, or `not run` when it is missing. */
export function judge(value: number | undefined, target: Target): Status {
  if (value === undefined) return 'not run';
  const met = {
    '<=': value <= target.limit,
    '>=': value >= target.limit,
    '<': value < target.limit,
    '=': value === target.limit,
  }[target.comparison];
  return met ? 'pass' : 'fail';
}

function formatValue(value: number | undefined, unit: string): string {
  if (value === undefined) return '-';
  if (unit === 'MB') return `${formatMegabytes(value)} MB`;
  if (unit === 'bytes') return `${value} bytes`;
  if (unit === 's') return `${formatNumber(value)} s`;
  return formatNumber(value);
}

function kibToBytes(kib: number | undefined): number | undefined {
  return kib === undefined ? undefined : kib * 1024;
}

/** Formats the whole report: timing, sizes and memory, task runs, summary and machine. */
export function formatReport(figures: BenchFigures): string {
  const sections: string[] = [];
  if (figures.contexts.length > 0) {
    sections.push(`Packing, median of ${figures.runs} run(s), seconds\n${timesTable(figures)}`);
    sections.push(`Archive sizes and peak memory (MB = 1,000,000 bytes)\n${sizesTable(figures.contexts)}`);
  }
  if (figures.taskRuns) sections.push(`The bundled task through the agent-like runner, seconds\n${taskRunsTable(figures.taskRuns)}`);
  const summary = summarize(figures).map((entry) => [entry.figure, entry.shown, entry.target, entry.status]);
  sections.push(`Summary\n${formatTable(['figure', 'value', 'target', 'result'], summary)}`);
  sections.push(`Machine\n${machineLines(figures)}`);
  if (figures.errors.length > 0) sections.push(`Could not run\n${figures.errors.map((error) => `- ${error}`).join('\n')}`);
  return sections.join('\n\n');
}

function timesTable(figures: BenchFigures): string {
  const rows = figures.contexts.map((context) => {
    const { seconds } = context;
    return [
      context.name, String(context.files), formatMegabytes(context.bytes),
      formatNumber(seconds.taskPack), formatNumber(seconds.taskUpload), formatNumber(context.digestSeconds), formatNumber(context.rerunSeconds),
      formatNumber(seconds.gzip), formatNumber(seconds.pigz),
      formatNumber(ratio(seconds.taskPack, seconds.pigz)), formatNumber(ratio(seconds.gzip, seconds.taskPack)),
    ];
  });
  const pigz = `pigz -6 -p ${figures.machine.cores}`;
  const headers = ['context', 'files', 'MB', 'task pack', 'pack+upload', 'of it SHA-256 read', 'rerun', 'gzip -6', pigz, 'pack/pigz', 'gzip/pack'];
  return formatTable(headers, rows);
}

function sizesTable(contexts: ContextFigures[]): string {
  const rows = contexts.map((context) => [
    context.name, formatMegabytes(context.archiveBytes.task), formatMegabytes(context.archiveBytes.gzip), formatMegabytes(context.archiveBytes.pigz),
    formatMegabytes(kibToBytes(context.packRssKiB)), formatMegabytes(kibToBytes(context.uploadRssKiB)),
    formatMegabytes(context.firstUploadBytes), formatMegabytes(context.rerunUploadBytes),
  ]);
  const headers = ['context', 'task archive', 'gzip archive', 'pigz archive', 'RSS pack', 'RSS pack+upload', 'upload', 'rerun upload'];
  return formatTable(headers, rows);
}

function taskRunsTable(runs: TaskRunFigures): string {
  const rows = runs.firstLineSeconds.map((firstLine, index) => [String(index + 1), formatNumber(firstLine), formatNumber(runs.exitSeconds[index])]);
  return formatTable(['run', 'start to first line', 'termination to exit'], rows);
}

function machineLines({ machine, date, scale, loadAverage }: BenchFigures): string {
  return [
    `date: ${date}`,
    `load average (1 min): ${formatNumber(loadAverage.start)} at the start, ${formatNumber(loadAverage.end)} at the end`,
    `CPU: ${machine.cpu}, ${machine.cores} cores (os.availableParallelism)`,
    `memory: ${(machine.memoryBytes / 1024 ** 3).toFixed(1)} GiB`,
    `Node.js: ${machine.node}`,
    `pigz: ${machine.pigz}`,
    `gzip: ${machine.gzip}`,
    `context scale: ${scale}`,
  ].join('\n');
}
