// The fast subset of the reliability suite: a few runs of each kind under injected faults.
// The full matrix runs with `npx tsx tools/reliability/run.ts` (see docs/reliability.md).
import * as assert from 'node:assert/strict';
import { FAST } from '../../tools/reliability/matrix';
import { figuresOf, formatReport } from '../../tools/reliability/report';
import { runSuite, type SuiteReport } from '../../tools/reliability/suite';

describe('reliability suite, fast subset', function () {
  this.timeout(600_000);
  let report: SuiteReport;

  before(async () => {
    report = await runSuite({ seed: 7, size: FAST });
  });

  it('decides every outcome correctly', () => {
    const figures = figuresOf(report);
    assert.equal(figures.correct, figures.runs, formatReport(report));
  });

  it('leaves nothing behind', () => {
    assert.equal(figuresOf(report).leaked, 0, formatReport(report));
  });

  it('shows every log line once and in order', () => {
    const figures = figuresOf(report);
    assert.ok(figures.linesExpected > 0, 'no run checked its log');
    assert.equal(figures.linesLost, 0, formatReport(report));
    assert.equal(figures.linesDuplicated, 0, formatReport(report));
    assert.equal(figures.linesOutOfOrder, 0, formatReport(report));
    assert.equal(figures.linesGarbled, 0, formatReport(report));
  });

  it('prints no secret', () => {
    assert.equal(figuresOf(report).secretsSeen, 0, formatReport(report));
  });

  it('injects API and stream faults', () => {
    const faults = report.faults;
    assert.ok(faults.errors + faults.tooManyRequests + faults.droppedConnections > 0, JSON.stringify(faults));
    assert.ok(faults.cutWatches + faults.expiredWatches + faults.cutLogs > 0, JSON.stringify(faults));
  });
});
