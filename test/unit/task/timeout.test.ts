import * as assert from 'node:assert/strict';
import { withDeadline, withTimeout } from '../../../tasks/KanikoBuildV1/src/timeout';

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

describe('withDeadline', () => {
  const never = (): Promise<never> => new Promise(() => undefined);

  it('passes a value through', async () => {
    assert.equal(await withDeadline(async () => 'kubeconfig', 1_000, 'reading', new AbortController().signal), 'kubeconfig');
  });

  it('ends a task that ignores its signal', async () => {
    await assert.rejects(withDeadline(never, 20, 'the token request', new AbortController().signal), /the token request timed out after 0.02 s/);
  });

  it('aborts the task signal at the limit', async () => {
    let taskSignal: AbortSignal | undefined;
    const pending = withDeadline((signal) => {
      taskSignal = signal;
      return never();
    }, 20, 'POST exchange', new AbortController().signal);

    await assert.rejects(pending, /POST exchange timed out/);
    assert.equal(taskSignal?.aborted, true);
    assert.match(String((taskSignal?.reason as Error).message), /POST exchange timed out after 0.02 s/);
  });

  it('passes the cancel reason to the task', async () => {
    const controller = new AbortController();
    let taskSignal: AbortSignal | undefined;
    const pending = withDeadline((signal) => {
      taskSignal = signal;
      return never();
    }, 10_000, 'reading', controller.signal);
    controller.abort(new Error('cancelled by the agent'));

    await assert.rejects(pending, /cancelled by the agent/);
    assert.equal(taskSignal?.aborted, true);
  });
});
