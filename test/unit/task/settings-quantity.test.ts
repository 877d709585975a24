// quantityValue: Kubernetes resource quantities in base units (cores or bytes).
import { strict as assert } from 'node:assert';
import { quantityValue } from '../../../tasks/KanikoBuildV1/src/settings/quantity';

describe('settings: quantityValue', () => {
  const values: [string, number][] = [
    ['1', 1], ['500m', 0.5], ['1500m', 1.5], ['0.25', 0.25], ['.5', 0.5], ['+2', 2], ['1.', 1],
    ['1k', 1e3], ['1M', 1e6], ['2G', 2e9], ['1T', 1e12], ['1P', 1e15], ['1E', 1e18],
    ['1Ki', 1024], ['512Mi', 512 * 2 ** 20], ['1Gi', 2 ** 30], ['1.5Gi', 1.5 * 2 ** 30], ['1Ti', 2 ** 40], ['1Pi', 2 ** 50], ['1Ei', 2 ** 60],
    ['2e9', 2e9], ['1E3', 1e3], ['5e-1', 0.5], ['1e+2', 100], ['0', 0],
  ];
  for (const [text, expected] of values) {
    it(`${text} is ${expected}`, () => {
      const value = quantityValue(text);

      assert.ok(value !== undefined, `${text} was rejected`);
      assert.ok(Math.abs(value - expected) <= expected * 1e-12, `${text} gave ${value}`);
    });
  }

  for (const text of ['', '-1', 'm', 'Gi', '1gi', '1KI', '1 Gi', ' 1', '1.5.5', '1e', '1Mi2', '0x10', 'one', '1,5']) {
    it(`'${text}' is not a quantity`, () => {
      assert.equal(quantityValue(text), undefined);
    });
  }
});
