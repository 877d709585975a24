// withRetries: plain calls retry and log each retry, a create whose first attempt went through
// reads its object back, a call's own signal bounds its retries, and streams pass through.
import { strict as assert } from 'node:assert';
import { ApiException, type V1Pod, type V1Secret } from '@kubernetes/client-node';
import type { ClusterApi } from '../../../tasks/KanikoBuildV1/src/kubernetes/client';
import type { RetryClock } from '../../../tasks/KanikoBuildV1/src/kubernetes/retry';
import { withRetries } from '../../../tasks/KanikoBuildV1/src/kubernetes/retrying-client';
import { captureStdout } from './support/stdout';
import { unusedClusterApi } from './support/unused-cluster-api';

const POD: V1Pod = { metadata: { name: 'kaniko-4711-ab12cd34', namespace: 'builds' } };
const SECRET: V1Secret = { metadata: { name: 'kaniko-4711-ab12cd34-registry', namespace: 'builds' } };

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

const alreadyExists = (): ApiException<string> => new ApiException(409, 'Conflict', status(409, 'AlreadyExists', 'pods "kaniko-4711-ab12cd34" already exists'), {});
const unavailable = (): ApiException<string> =>
  new ApiException(503, 'Unavailable', status(503, 'ServiceUnavailable', 'the server is shutting down'), { 'retry-after': '2' });
const hangUp = (): Error => Object.assign(new Error('request to https://127.0.0.1:6443/api/v1 failed, reason: socket hang up'), { code: 'ECONNRESET' });

const instantClock: RetryClock = {
  now: () => 0,
  random: () => 0.5,
  sleep: async (_ms, signal) => signal.throwIfAborted(),
};

/** Returns a call that fails with each of `failures` in turn, then returns `value`. */
function failingThen<T>(failures: unknown[], value: () => Promise<T>): { call: () => Promise<T>; calls: () => number } {
  let count = 0;
  return {
    call: async () => {
      count += 1;
      if (count <= failures.length) throw failures[count - 1];
      return value();
    },
    calls: () => count,
  };
}

function retrying(overrides: Partial<ClusterApi>, signal = new AbortController().signal): ClusterApi {
  return withRetries({ ...unusedClusterApi('an unexpected ClusterApi method was called'), ...overrides }, { signal, clock: instantClock });
}

describe('kubernetes: withRetries', () => {
  it('retries a read and logs each retry', async () => {
    const read = failingThen([unavailable(), hangUp()], async () => POD);
    const api = retrying({ readPod: read.call });

    const { result, output } = await captureStdout(() => api.readPod('builds', 'kaniko-4711-ab12cd34'));

    assert.equal(result, POD);
    assert.equal(read.calls(), 3);
    const lines = output.trim().split('\n').filter((line) => !line.startsWith('##vso['));
    assert.deepEqual(lines, [
      'The request to read pod builds/kaniko-4711-ab12cd34 failed: HTTP 503 ServiceUnavailable: the server is shutting down. Retrying in 2.0 s (attempt 2 of 5).',
      'The request to read pod builds/kaniko-4711-ab12cd34 failed: socket hang up (ECONNRESET). Retrying in 0.8 s (attempt 3 of 5).',
    ]);
  });

  it('reads back a pod that the dropped attempt created', async () => {
    const create = failingThen([hangUp(), alreadyExists()], async () => POD);
    let reads = 0;
    const api = retrying({ createPod: create.call, readPod: async () => { reads += 1; return { ...POD, metadata: { ...POD.metadata, uid: 'uid-1' } }; } });

    const { result, output } = await captureStdout(() => api.createPod(POD));

    assert.equal(result.metadata?.uid, 'uid-1');
    assert.equal(create.calls(), 2);
    assert.equal(reads, 1);
    assert.match(output, /The retried request to create pod builds\/kaniko-4711-ab12cd34 found the object already there/);
  });

  it('reads back a Secret that the dropped attempt created', async () => {
    const create = failingThen([hangUp(), alreadyExists()], async () => SECRET);
    const api = retrying({ createSecret: create.call, readSecret: async () => SECRET });

    const { result } = await captureStdout(() => api.createSecret(SECRET));

    assert.equal(result, SECRET);
  });

  it('a conflict on the first attempt fails', async () => {
    const create = failingThen([alreadyExists()], async () => POD);
    const api = retrying({ createPod: create.call });

    await assert.rejects(captureStdout(() => api.createPod(POD)), (error: ApiException<string>) => error.code === 409);
    assert.equal(create.calls(), 1);
  });

  it('a call signal bounds the retries', async () => {
    const deadline = new AbortController();
    const signals: (AbortSignal | undefined)[] = [];
    let attempts = 0;
    const api = retrying({
      deletePod: async (_namespace, _name, signal) => {
        attempts += 1;
        signals.push(signal);
        deadline.abort(new Error('timed out after 6 s'));
        throw hangUp();
      },
    });

    await assert.rejects(captureStdout(() => api.deletePod('builds', 'kaniko-4711-ab12cd34', deadline.signal)), /socket hang up/);
    assert.equal(attempts, 1);
    assert.equal(signals[0], deadline.signal);
  });

  it('passes the run signal to each request', async () => {
    const run = new AbortController();
    let received: AbortSignal | undefined;
    const api = retrying({ listPods: async (_namespace, _selector, signal) => { received = signal; return []; } }, run.signal);

    await api.listPods('builds', 'kaniko-build-on-aks/job-id=job-1');

    assert.equal(received, run.signal);
  });

  it('a cancelled run does not retry', async () => {
    const run = new AbortController();
    run.abort(new Error('cancelled by the agent'));
    const read = failingThen([unavailable()], async () => POD);
    const api = retrying({ readPod: read.call }, run.signal);

    await assert.rejects(api.readPod('builds', 'kaniko-4711-ab12cd34'), (error: ApiException<string>) => error.code === 503);
    assert.equal(read.calls(), 1);
  });

  it('streams pass through without retry', async () => {
    let watches = 0;
    const api = retrying({
      watchPod: async () => {
        watches += 1;
        throw Object.assign(new Error('Service Unavailable'), { statusCode: 503 });
      },
    });

    await assert.rejects(api.watchPod('builds', 'kaniko-4711-ab12cd34', '5', () => undefined, new AbortController().signal), /Service Unavailable/);
    assert.equal(watches, 1);
  });
});
