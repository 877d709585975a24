// Formats the suite's figures: outcomes, leaks, log lines, secrets, cancel times and faults.
import type { RunReport } from './run-one';
import type { SuiteReport } from './suite';

export interface Figures {
  runs: number;
  correct: number;
  leaked: number;
  linesExpected: number;
  linesLost: number;
  linesDuplicated: number;
  linesOutOfOrder: number;
  linesGarbled: number;
  secretsSeen: number;
  /** The maximum time from a cancel to the end of the task process. */
  maxCancelToExitMs: number;
}

export function figuresOf(report: SuiteReport): Figures {
  const { runs } = report;
  const sum = (value: (run: RunReport) => number): number => runs.reduce((total, run) => total + value(run), 0);
  return {
    runs: runs.length,
    correct: runs.filter((run) => run.problems.length === 0).length,
    leaked: sum((run) => run.leaked.length),
    linesExpected: sum((run) => run.log.expected),
    linesLost: sum((run) => run.log.lost),
    linesDuplicated: sum((run) => run.log.duplicated),
    linesOutOfOrder: sum((run) => run.log.outOfOrder),
    linesGarbled: sum((run) => run.log.garbled),
    secretsSeen: sum((run) => run.secretsSeen),
    maxCancelToExitMs: Math.max(0, ...runs.map((run) => run.cancelToExitMs ?? 0)),
  };
}

/** True when every figure is perfect. */
export function isPerfect(figures: Figures): boolean {
  return figures.correct === figures.runs && figures.leaked === 0 && figures.linesLost === 0 && figures.linesDuplicated === 0
    && figures.linesOutOfOrder === 0 && figures.linesGarbled === 0 && figures.secretsSeen === 0;
}

export function formatReport(report: SuiteReport): string {
  const figures = figuresOf(report);
  const kinds = countBy(report.runs.map((run) => run.scenario.kind));
  const faults = report.faults;
  const lines = [
    `Reliability suite, seed ${report.seed}: ${figures.runs} runs (${Object.entries(kinds).map(([kind, count]) => `${count} ${kind}`).join(', ')}) in ${(report.durationMs / 1000).toFixed(0)} s`,
    '',
    `Outcomes correct:          ${figures.correct} / ${figures.runs}`,
    `Resources leaked:          ${figures.leaked}`,
    `Log lines lost:            ${figures.linesLost} of ${figures.linesExpected}`,
    `Log lines duplicated:      ${figures.linesDuplicated}`,
    `Log lines out of order:    ${figures.linesOutOfOrder}`,
    `Log lines garbled:         ${figures.linesGarbled}`,
    `Secret values in output:   ${figures.secretsSeen}`,
    `Longest cancel to exit:    ${(figures.maxCancelToExitMs / 1000).toFixed(1)} s (the agent sends SIGTERM after 7.5 s)`,
    '',
    `Faults injected: 5xx answers ${faults.errors} (in ${faults.errorBursts} bursts), 429 answers ${faults.tooManyRequests}, `
      + `dropped connections ${faults.droppedConnections}, slow answers ${faults.slowResponses}, cut watches ${faults.cutWatches}, `
      + `expired watches ${faults.expiredWatches}, cut log streams ${faults.cutLogs}`,
  ];
  const wrong = report.runs.filter((run) => run.problems.length > 0);
  if (wrong.length > 0) {
    lines.push('', 'Wrong runs (rerun one with --only INDEX --echo):');
    for (const run of wrong) lines.push(`  #${run.scenario.index} ${run.scenario.title}: ${run.problems.join('; ')}`);
  }
  lines.push('', isPerfect(figures) ? 'Every figure is perfect.' : 'Some figures are not perfect.');
  return lines.join('\n');
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
