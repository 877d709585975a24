// The benchmark's command line.
import { strict as assert } from 'node:assert';
import { parseOptions } from '../../../tools/bench/options';

describe('bench: options', () => {
  it('defaults select everything at full size', () => {
    const options = parseOptions([]);

    assert.deepEqual(options.contexts, ['small-files', 'large-compressible', 'mixed-500mb']);
    assert.equal(options.taskRuns, true);
    assert.equal(options.vsix, true);
    assert.equal(options.scale, 1);
    assert.equal(options.runs, 3);
    assert.equal(options.taskRunCount, 5);
    assert.equal(options.keep, false);
  });

  it('--only selects parts', () => {
    const options = parseOptions(['--only', 'mixed-500mb, vsix']);

    assert.deepEqual(options.contexts, ['mixed-500mb']);
    assert.equal(options.taskRuns, false);
    assert.equal(options.vsix, true);
  });

  it('--quick shrinks contexts and task runs', () => {
    const options = parseOptions(['--quick', '--runs', '1']);

    assert.equal(options.scale, 0.01);
    assert.equal(options.runs, 1);
    assert.equal(options.taskRunCount, 2);
    assert.equal(parseOptions(['--quick', '--task-runs', '4']).taskRunCount, 4);
  });

  it('invalid values are rejected', () => {
    assert.throws(() => parseOptions(['--only', 'tiny']), /Invalid --only "tiny": use one or more of small-files, .*vsix/);
    assert.throws(() => parseOptions(['--only', ',']), /Invalid --only/);
    assert.throws(() => parseOptions(['--runs', '0']), /Invalid --runs "0": use a whole number of 1 or more/);
    assert.throws(() => parseOptions(['--runs', '2.5']), /Invalid --runs "2.5"/);
    assert.throws(() => parseOptions(['--seed=-1']), /Invalid --seed "-1": use a whole number of 0 or more/);
    assert.throws(() => parseOptions(['--fast']), /Unknown option '--fast'/);
  });
});
