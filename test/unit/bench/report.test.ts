// The benchmark's summary: one row per figure with a target, judged pass, fail or not run.
import { strict as assert } from 'node:assert';
import type { BenchFigures, ContextFigures } from '../../../tools/bench/figures';
import { formatReport, summarize, type SummaryRow } from '../../../tools/bench/report';

const MACHINE = { cpu: 'Test CPU', cores: 2, memoryBytes: 8 * 1024 ** 3, node: 'v20.0.0', pigz: 'pigz 2.6', gzip: 'gzip 1.12' };

function context(name: string, overrides: Partial<ContextFigures> = {}): ContextFigures {
  return {
    name,
    files: 10,
    bytes: 1_000_000,
    seconds: { taskPack: 2, taskUpload: 2.5, gzip: 4, pigz: 2 },
    digestSeconds: 0.4,
    rerunSeconds: 0.5,
    archiveBytes: { task: 300_000, gzip: 300_000, pigz: 301_000 },
    packRssKiB: 80_000,
    uploadRssKiB: 100_000,
    firstUploadBytes: 300_000,
    rerunUploadBytes: 0,
    ...overrides,
  };
}

function figures(overrides: Partial<BenchFigures> = {}): BenchFigures {
  return {
    date: '2026-01-05T08:00:00.000Z', machine: MACHINE, scale: 1, runs: 3, loadAverage: { start: 0.5, end: 1.25 }, contexts: [], errors: [],
    ...overrides,
  };
}

function rowOf(rows: SummaryRow[], figure: string): SummaryRow {
  const row = rows.find((candidate) => candidate.figure === figure);
  assert.ok(row, `no row '${figure}' in ${rows.map((candidate) => candidate.figure).join(', ')}`);
  return row;
}

describe('bench: summary', () => {
  it('every part selected gives every row', () => {
    const rows = summarize(figures({
      contexts: [context('small-files'), context('large-compressible'), context('mixed-500mb')],
      taskRuns: { firstLineSeconds: [0.2, 0.25, 0.1], exitSeconds: [0.5, 0.7, 0.6] },
      vsix: { bytes: 1_200_000 },
    }));

    assert.deepEqual(rows.map((row) => row.figure), [
      'task pack / pigz, small-files', 'gzip / task pack, small-files',
      'task pack / pigz, large-compressible', 'gzip / task pack, large-compressible',
      'task pack / pigz, mixed-500mb', 'gzip / task pack, mixed-500mb',
      'peak RSS of pack+upload, mixed-500mb',
      'bytes uploaded on rerun, small-files', 'bytes uploaded on rerun, large-compressible', 'bytes uploaded on rerun, mixed-500mb',
      'process start to first log line, median', 'process start to first log line, max',
      'pod termination to task exit, median', 'pod termination to task exit, max',
      'VSIX size',
    ]);
    assert.deepEqual(rows.map((row) => row.status), Array<string>(rows.length).fill('pass'));
  });

  it('unselected parts give no rows', () => {
    const rows = summarize(figures({ contexts: [context('small-files')] }));

    assert.deepEqual(rows.map((row) => row.figure), [
      'task pack / pigz, small-files', 'gzip / task pack, small-files', 'bytes uploaded on rerun, small-files',
    ]);
  });

  it('ratios at their limits pass', () => {
    // Halving is exact in binary floating point, so these quotients are exactly 1.15 and 1.7.
    const rows = summarize(figures({ contexts: [
      context('small-files', { seconds: { taskPack: 2.3, gzip: 10, pigz: 2 } }),
      context('mixed-500mb', { seconds: { taskPack: 2, gzip: 3.4, pigz: 1 } }),
    ] }));

    assert.equal(rowOf(rows, 'task pack / pigz, small-files').shown, '1.15');
    assert.equal(rowOf(rows, 'task pack / pigz, small-files').status, 'pass');
    assert.equal(rowOf(rows, 'gzip / task pack, mixed-500mb').shown, '1.70');
    assert.equal(rowOf(rows, 'gzip / task pack, mixed-500mb').status, 'pass');
  });

  it('ratios past their limits fail', () => {
    const rows = summarize(figures({ contexts: [context('small-files', { seconds: { taskPack: 4, gzip: 6, pigz: 3 } })] }));

    assert.equal(rowOf(rows, 'task pack / pigz, small-files').shown, '1.33');
    assert.equal(rowOf(rows, 'task pack / pigz, small-files').status, 'fail');
    assert.equal(rowOf(rows, 'gzip / task pack, small-files').shown, '1.50');
    assert.equal(rowOf(rows, 'gzip / task pack, small-files').status, 'fail');
  });

  it('memory of exactly 150 MB fails', () => {
    const rows = summarize(figures({ contexts: [context('mixed-500mb', { uploadRssKiB: 150_000_000 / 1024 })] }));

    const row = rowOf(rows, 'peak RSS of pack+upload, mixed-500mb');
    assert.equal(row.shown, '150.0 MB');
    assert.equal(row.target, '< 150.0 MB');
    assert.equal(row.status, 'fail');
  });

  it('rerun upload of any byte fails', () => {
    const rows = summarize(figures({ contexts: [context('small-files', { rerunUploadBytes: 1 })] }));

    assert.equal(rowOf(rows, 'bytes uploaded on rerun, small-files').status, 'fail');
  });

  it('task run rows use median and max', () => {
    const rows = summarize(figures({ taskRuns: { firstLineSeconds: [0.1, 0.2, 0.35], exitSeconds: [0.4, 1.2, 0.5] } }));

    assert.equal(rowOf(rows, 'process start to first log line, median').shown, '0.20 s');
    assert.equal(rowOf(rows, 'process start to first log line, median').status, 'pass');
    assert.equal(rowOf(rows, 'process start to first log line, max').shown, '0.35 s');
    assert.equal(rowOf(rows, 'process start to first log line, max').status, 'fail');
    assert.equal(rowOf(rows, 'pod termination to task exit, median').shown, '0.50 s');
    assert.equal(rowOf(rows, 'pod termination to task exit, max').status, 'fail');
  });

  it('missing measurements are not run', () => {
    const rows = summarize(figures({
      contexts: [context('mixed-500mb', { seconds: { taskPack: 2 }, uploadRssKiB: undefined, rerunUploadBytes: undefined })],
      taskRuns: { firstLineSeconds: [], exitSeconds: [] },
      vsix: {},
    }));

    for (const row of rows) {
      assert.equal(row.status, 'not run', row.figure);
      assert.equal(row.shown, '-', row.figure);
    }
  });

  it('report lists rows, machine and errors', () => {
    const report = formatReport(figures({
      contexts: [context('mixed-500mb')],
      vsix: { bytes: 2_500_000 },
      errors: ['pigz is not installed'],
    }));

    for (const row of summarize(figures({ contexts: [context('mixed-500mb')], vsix: { bytes: 2_500_000 } }))) {
      assert.ok(report.includes(row.figure), `the report lacks '${row.figure}'`);
    }
    assert.match(report, /^VSIX size +2\.5 MB +< 3\.0 MB +pass$/m);
    assert.match(report, /CPU: Test CPU, 2 cores/);
    assert.match(report, /pigz: pigz 2\.6/);
    assert.match(report, /load average \(1 min\): 0\.50 at the start, 1\.25 at the end/);
    assert.match(report, /Could not run\n- pigz is not installed/);
    assert.match(report, /^mixed-500mb +10 +1\.0 +2\.00 +2\.50 +0\.40 +0\.50 +4\.00 +2\.00 +1\.00 +2\.00$/m);
  });
});
