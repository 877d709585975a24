import * as assert from 'node:assert/strict';
import { withTimeout } from '../../../tasks/KanikoBuildV1/src/timeout';

describe('withTimeout', () => {
  it('passes a value through', async () => {
    assert.equal(await withTimeout(Promise.resolve(7), 1_000, 'reading'), 7);
  });

  it('passes a rejection through', async () => {
    await assert.rejects(withTimeout(Promise.reject(new Error('refused')), 1_000, 'reading'), /refused/);
  });

  it('rejects after the limit', async () => {
    await assert.rejects(withTimeout(new Promise(() => undefined), 20, 'GET /version'), /GET \/version timed out after 0.02 s/);
  });

  it('rejects with the abort reason', async () => {
    const controller = new AbortController();
    const pending = withTimeout(new Promise(() => undefined), 10_000, 'reading', controller.signal);
    controller.abort(new Error('cancelled by the agent'));
    await assert.rejects(pending, /cancelled by the agent/);
  });

  it('rejects at once when already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('already cancelled'));
    await assert.rejects(withTimeout(new Promise(() => undefined), 10_000, 'reading', controller.signal), /already cancelled/);
  });
});
