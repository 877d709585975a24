// Runs the benchmark (tools/bench/run.ts) end to end on tiny contexts: it must run every part
// and print every row of its summary. The times of such a run tell nothing about speed.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchFigures } from '../../tools/bench/figures';
import type { SummaryRow } from '../../tools/bench/report';

const ROOT = path.join(__dirname, '..', '..');
const CONTEXTS = ['small-files', 'large-compressible', 'mixed-500mb'];
const ROWS = [
  ...CONTEXTS.flatMap((name) => [`task pack / pigz, ${name}`, `gzip / task pack, ${name}`]),
  'peak RSS of pack+upload, mixed-500mb',
  ...CONTEXTS.map((name) => `bytes uploaded on rerun, ${name}`),
  'process start to first log line, median', 'process start to first log line, max',
  'pod termination to task exit, median', 'pod termination to task exit, max',
  'VSIX size',
];

function runBench(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/bench/run.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

describe('benchmark', function () {
  this.timeout(120_000);
  let folder: string;

  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));
  });

  afterEach(() => {
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('quick run prints every row', async function () {
    if (spawnSync('pigz', ['--version']).error) {
      console.log('      pigz is not installed (apt-get install pigz), so the benchmark cannot run every part.');
      this.skip();
    }
    const json = path.join(folder, 'figures.json');
    const { code, output } = await runBench(['--quick', '--runs', '1', '--json', json]);

    assert.equal(code, 0, output);
    const summary = output.slice(output.indexOf('\nSummary\n'));
    for (const figure of ROWS) {
      const line = summary.split('\n').find((candidate) => candidate.startsWith(`${figure}  `));
      assert.ok(line, `the summary lacks '${figure}':\n${output}`);
      assert.match(line, / (pass|fail)$/, `'${figure}' was not measured:\n${output}`);
    }

    const report = JSON.parse(fs.readFileSync(json, 'utf8')) as BenchFigures & { summary: SummaryRow[] };
    assert.deepEqual(report.summary.map((row) => row.figure), ROWS);
    assert.deepEqual(report.errors, []);
    for (const context of report.contexts) {
      assert.deepEqual(Object.keys(context.seconds).sort(), ['gzip', 'pigz', 'taskPack', 'taskUpload'], context.name);
      assert.ok((context.archiveBytes.task ?? 0) > 0, `${context.name}: no task archive size`);
      assert.ok((context.firstUploadBytes ?? 0) > 0, `${context.name}: nothing uploaded`);
    }
    assert.equal(report.taskRuns?.firstLineSeconds.length, 2);
    assert.ok(report.taskRuns.exitSeconds.every((seconds) => seconds > 0), `exit times ${report.taskRuns.exitSeconds.join(', ')}`);
    assert.ok((report.vsix?.bytes ?? 0) > 0, 'no VSIX size');
  });

  it('invalid option is rejected', async () => {
    const { code, output } = await runBench(['--only', 'everything']);

    assert.equal(code, 1);
    assert.match(output, /Invalid --only "everything"/);
    assert.match(output, /Usage: npx tsx tools\/bench\/run.ts/);
  });
});
