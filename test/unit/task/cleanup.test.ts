// Cleanup: every registered delete runs, and each failure is reported without stopping the others.
// Each delete ends at its time limit, which aborts its signal, so that retries cannot stretch it.
import { strict as assert } from 'node:assert';
import { ApiException } from '@kubernetes/client-node';
import { Cleanup } from '../../../tasks/KanikoBuildV1/src/cleanup';
import { withRetries } from '../../../tasks/KanikoBuildV1/src/kubernetes/retrying-client';
import { captureStdout } from './support/stdout';
import { unusedClusterApi } from './support/unused-cluster-api';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

function deferred(): Deferred {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Returns the `##vso[task.issue type=warning...]` lines of the output. */
function warnings(output: string): string[] {
  return output.split('\n').filter((line) => line.startsWith('##vso[task.issue type=warning'));
}

describe('cleanup: Cleanup.runAll', () => {
  it('every action runs despite failures', async () => {
    const cleanup = new Cleanup();
    const ran: string[] = [];
    cleanup.add('pod builds/kaniko-1', async () => {
      ran.push('pod');
      throw new Error('HTTP 403 Forbidden: pods "kaniko-1" is forbidden\nheader: secret');
    });
    cleanup.add('secret builds/kaniko-1-registry', async () => {
      ran.push('registry secret');
    });
    cleanup.add('secret builds/kaniko-1-storage', () => {
      ran.push('storage secret');
      throw new Error('thrown before any promise');
    });
    cleanup.add('blob kaniko-contexts/kaniko-1.tar.gz', async () => {
      ran.push('blob');
      throw 'a string, not an Error';
    });

    const { result: failed, output } = await captureStdout(() => cleanup.runAll());

    assert.deepEqual([...ran].sort(), ['blob', 'pod', 'registry secret', 'storage secret']);
    assert.deepEqual(failed, ['pod builds/kaniko-1', 'secret builds/kaniko-1-storage', 'blob kaniko-contexts/kaniko-1.tar.gz']);
    assert.ok(output.includes('Deleted secret builds/kaniko-1-registry.'), output);
  });

  it('failures become warnings with the cause', async () => {
    const cleanup = new Cleanup();
    cleanup.add('pod builds/kaniko-1', async () => {
      throw new Error('HTTP 403 Forbidden: pods "kaniko-1" is forbidden\nheader: secret-token');
    });
    cleanup.add('blob kaniko-contexts/kaniko-1.tar.gz', async () => {
      throw 'connection reset';
    });

    const { output } = await captureStdout(() => cleanup.runAll());
    const lines = warnings(output);

    assert.equal(lines.length, 2, output);
    assert.ok(lines.some((line) => line.includes('Could not delete pod builds/kaniko-1: HTTP 403 Forbidden')), output);
    assert.ok(lines.some((line) => line.includes('Could not delete blob kaniko-contexts/kaniko-1.tar.gz: connection reset')), output);
    assert.ok(!output.includes('secret-token'), 'the error text after its first line was printed');
    assert.ok(!output.includes('Deleted pod'), output);
  });

  it('actions start together', async () => {
    const cleanup = new Cleanup();
    const started: string[] = [];
    const gate = deferred();
    for (const name of ['pod', 'registry secret', 'storage secret', 'blob']) {
      cleanup.add(name, async () => {
        started.push(name);
        await gate.promise;
      });
    }

    const { result: failed } = await captureStdout(async () => {
      const running = cleanup.runAll();
      assert.equal(started.length, 4, 'a pending delete held back the others');
      gate.resolve();
      return running;
    });

    assert.deepEqual(failed, []);
  });

  it('runAll runs each action once', async () => {
    const cleanup = new Cleanup();
    let runs = 0;
    cleanup.add('pod', async () => {
      runs += 1;
    });

    assert.equal(cleanup.size, 1);
    await captureStdout(() => cleanup.runAll());
    assert.equal(cleanup.size, 0);
    const { result: second } = await captureStdout(() => cleanup.runAll());

    assert.equal(runs, 1);
    assert.deepEqual(second, []);
  });

  it('a hanging delete ends at the time limit', async () => {
    const cleanup = new Cleanup(50);
    let signal: AbortSignal | undefined;
    cleanup.add('pod builds/kaniko-1', (deadline) => {
      signal = deadline;
      return new Promise(() => undefined);
    });
    cleanup.add('secret builds/kaniko-1-registry', async () => undefined);

    const started = Date.now();
    const { result: failed, output } = await captureStdout(() => cleanup.runAll());

    assert.ok(Date.now() - started < 1_000, `runAll took ${Date.now() - started} ms`);
    assert.deepEqual(failed, ['pod builds/kaniko-1']);
    assert.equal(signal?.aborted, true, 'the delete signal was not aborted at the time limit');
    assert.match(output, /Could not delete pod builds\/kaniko-1: timed out after 0.05 s/);
    assert.match(output, /Deleted secret builds\/kaniko-1-registry\./);
  });

  it('retries stop at the time limit', async () => {
    const cleanup = new Cleanup(300);
    let attempts = 0;
    const api = withRetries({
      ...unusedClusterApi('cleanup called an unexpected ClusterApi method'),
      deletePod: async () => {
        attempts += 1;
        throw new ApiException(429, 'Too Many Requests', '{"kind":"Status","code":429,"reason":"TooManyRequests"}', { 'retry-after': '10' });
      },
    }, { signal: new AbortController().signal });
    cleanup.add('pod builds/kaniko-1', (deadline) => api.deletePod('builds', 'kaniko-1', deadline));

    const started = Date.now();
    const { result: failed, output } = await captureStdout(() => cleanup.runAll());

    assert.ok(Date.now() - started < 1_000, `a Retry-After of 10 s held the cleanup for ${Date.now() - started} ms`);
    assert.deepEqual(failed, ['pod builds/kaniko-1']);
    assert.equal(attempts, 1);
    assert.match(output, /Retrying in 10\.0 s \(attempt 2 of 5\)/);
    assert.match(output, /Could not delete pod builds\/kaniko-1: timed out after 0.3 s/);
  });
});
