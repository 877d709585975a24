// Runs the matrix batch by batch, each batch under its own fault plan, and sums up the figures.
import type { FaultCounts } from '../local-cluster/index';
import { startEnvironment, TASK_USER } from './environment';
import { buildMatrix, type MatrixSize } from './matrix';
import { runScenario, type RunOptions, type RunReport } from './run-one';

export interface SuiteOptions extends RunOptions {
  seed: number;
  size: MatrixSize;
  /** Runs only the scenarios with these indexes, for reproducing one. */
  only?: number[];
  /** Receives each run's report as it ends. */
  onRun?: (report: RunReport) => void;
}

export interface SuiteReport {
  seed: number;
  runs: RunReport[];
  faults: FaultCounts;
  durationMs: number;
}

export async function runSuite(options: SuiteOptions): Promise<SuiteReport> {
  const started = Date.now();
  const batches = buildMatrix(options.seed, options.size);
  const environment = await startEnvironment();
  const runs: RunReport[] = [];
  const faults = emptyCounts();
  try {
    for (const [position, batch] of batches.entries()) {
      const scenarios = batch.scenarios.filter((scenario) => !options.only || options.only.includes(scenario.index));
      if (scenarios.length === 0) continue;
      const plan = batch.faults && Object.keys(batch.faults).length > 0
        ? { ...batch.faults, seed: options.seed * 1000 + position, users: [TASK_USER] }
        : undefined;
      environment.cluster.setFaults(plan);
      const reports = await Promise.all(scenarios.map(async (scenario) => {
        const report = await runScenario(environment, scenario, options);
        options.onRun?.(report);
        return report;
      }));
      addCounts(faults, environment.cluster.faultCounts());
      environment.cluster.setFaults(undefined);
      runs.push(...reports);
    }
  } finally {
    await environment.stop();
  }
  return { seed: options.seed, runs, faults, durationMs: Date.now() - started };
}

function emptyCounts(): FaultCounts {
  return {
    errorBursts: 0, errors: 0, tooManyRequests: 0, droppedConnections: 0, slowResponses: 0, cutWatches: 0, expiredWatches: 0, cutLogs: 0,
  };
}

function addCounts(total: FaultCounts, counts: FaultCounts): void {
  for (const key of Object.keys(total) as (keyof FaultCounts)[]) total[key] += counts[key];
}
