// The benchmark's calculations and number formats.
import { strict as assert } from 'node:assert';
import { formatMegabytes, formatNumber, formatTable, maximum, median, ratio } from '../../../tools/bench/stats';

describe('bench: stats', () => {
  it('median of an odd count', () => {
    assert.equal(median([3, 1, 2]), 2);
  });

  it('median of an even count', () => {
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });

  it('median and maximum of nothing', () => {
    assert.equal(median([]), undefined);
    assert.equal(maximum([]), undefined);
  });

  it('median leaves its input unsorted', () => {
    const values = [5, 1, 4];
    median(values);
    assert.deepEqual(values, [5, 1, 4]);
  });

  it('ratio of present values', () => {
    assert.equal(ratio(3, 2), 1.5);
  });

  it('ratio with a missing or zero value', () => {
    assert.equal(ratio(undefined, 2), undefined);
    assert.equal(ratio(2, undefined), undefined);
    assert.equal(ratio(2, 0), undefined);
  });

  it('number formats', () => {
    assert.equal(formatNumber(1.23456), '1.23');
    assert.equal(formatNumber(0.5, 3), '0.500');
    assert.equal(formatNumber(undefined), '-');
    assert.equal(formatMegabytes(1_250_000), '1.3');
    assert.equal(formatMegabytes(undefined), '-');
  });

  it('table aligns its columns', () => {
    const table = formatTable(['name', 'seconds'], [['small-files', '1.25'], ['mixed', '12.50']]);
    assert.equal(table, [
      'name         seconds',
      '-----------  -------',
      'small-files     1.25',
      'mixed          12.50',
    ].join('\n'));
  });
});
