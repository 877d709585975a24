// watchPodUntil against a fake ClusterApi whose watches close, expire and deliver bookmarks.
import { strict as assert } from 'node:assert';
import type { V1Pod } from '@kubernetes/client-node';
import type { ClusterApi, WatchEventType } from '../../../tasks/KanikoBuildV1/src/kubernetes/client';
import { watchPodUntil } from '../../../tasks/KanikoBuildV1/src/kubernetes/pod-watch';
import { ReconnectPacer, STREAM_RECONNECT_POLICY } from '../../../tasks/KanikoBuildV1/src/kubernetes/reconnect';
import { unusedClusterApi } from './support/unused-cluster-api';

const TARGET = { namespace: 'builds', name: 'kaniko-1234-abcd1234' };

type WatchEvent = { type: WatchEventType; object: unknown };
/** What one watch does: send events, then close, or stay open until its signal aborts; or fail to connect. */
type WatchStep = { events: WatchEvent[]; then: 'close' | 'stay-open' } | { fail: unknown };

function pod(resourceVersion: string, phase: string): V1Pod {
  return { metadata: { name: TARGET.name, namespace: TARGET.namespace, resourceVersion }, status: { phase } };
}

class FakeWatchApi {
  readonly watchedFrom: (string | undefined)[] = [];
  readonly watchSignals: AbortSignal[] = [];
  reads = 0;

  constructor(private readonly readResults: V1Pod[], private readonly steps: WatchStep[]) {}

  asClusterApi(): ClusterApi {
    return {
      ...unusedClusterApi('watchPodUntil called an unexpected ClusterApi method'),
      readPod: async () => {
        const result = this.readResults[Math.min(this.reads, this.readResults.length - 1)];
        this.reads += 1;
        return result;
      },
      watchPod: (_namespace, _name, resourceVersion, onEvent, signal) => this.watch(resourceVersion, onEvent, signal),
    };
  }

  private async watch(resourceVersion: string | undefined, onEvent: (type: WatchEventType, object: unknown) => void, signal: AbortSignal): Promise<void> {
    const step = this.steps[this.watchedFrom.length] ?? { events: [], then: 'stay-open' };
    this.watchedFrom.push(resourceVersion);
    this.watchSignals.push(signal);
    await new Promise((resolve) => setImmediate(resolve));
    if ('fail' in step) throw step.fail;
    for (const event of step.events) {
      if (signal.aborted) return;
      onEvent(event.type, event.object);
    }
    if (step.then === 'close' || signal.aborted) return;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }
}

const isSucceeded = (candidate: V1Pod): boolean => candidate.status?.phase === 'Succeeded';

/** Reconnects after 1 to 2 ms, so that tests of failures run fast; at most three failures in a row. */
const FAST_RECONNECTS = { ...STREAM_RECONNECT_POLICY, maxAttempts: 4, baseDelayMs: 2, maxDelayMs: 2, maxRetryAfterMs: 2 };

async function watchUntilSucceeded(api: FakeWatchApi, signal = new AbortController().signal) {
  const seen: string[] = [];
  const result = await watchPodUntil(api.asClusterApi(), TARGET, isSucceeded, (version) => {
    seen.push(`${version.metadata?.resourceVersion}:${version.status?.phase}`);
  }, signal, new ReconnectPacer(FAST_RECONNECTS));
  return { result, seen };
}

/** Returns the error that client-node's Watch gives for a refused watch. */
function refused(statusCode: number): Error {
  return Object.assign(new Error(`HTTP ${statusCode}`), { statusCode });
}

describe('kubernetes: watchPodUntil', function () {
  this.timeout(10_000);

  it('done on first read needs no watch', async () => {
    const api = new FakeWatchApi([pod('5', 'Succeeded')], []);
    const { result, seen } = await watchUntilSucceeded(api);

    assert.equal(result.deleted, false);
    assert.equal(result.pod.metadata?.resourceVersion, '5');
    assert.deepEqual(seen, ['5:Succeeded']);
    assert.equal(api.watchedFrom.length, 0);
  });

  it('watch events until done', async () => {
    const api = new FakeWatchApi([pod('5', 'Pending')], [{
      events: [{ type: 'MODIFIED', object: pod('6', 'Running') }, { type: 'MODIFIED', object: pod('7', 'Succeeded') }],
      then: 'stay-open',
    }]);
    const { result, seen } = await watchUntilSucceeded(api);

    assert.equal(result.pod.metadata?.resourceVersion, '7');
    assert.deepEqual(seen, ['5:Pending', '6:Running', '7:Succeeded']);
    assert.deepEqual(api.watchedFrom, ['5']);
    assert.equal(api.watchSignals[0].aborted, true, 'the finished watch was not stopped');
  });

  it('closed watch resumes from last version', async () => {
    const api = new FakeWatchApi([pod('5', 'Pending')], [
      { events: [{ type: 'MODIFIED', object: pod('6', 'Running') }], then: 'close' },
      { events: [{ type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } }], then: 'close' },
      { events: [{ type: 'MODIFIED', object: pod('10', 'Succeeded') }], then: 'stay-open' },
    ]);
    const { result, seen } = await watchUntilSucceeded(api);

    assert.equal(result.pod.metadata?.resourceVersion, '10');
    assert.deepEqual(api.watchedFrom, ['5', '6', '9']);
    assert.equal(api.reads, 1);
    assert.equal(seen[0], '5:Pending');
    assert.ok(seen.includes('6:Running'), seen.join(', '));
    assert.equal(seen.at(-1), '10:Succeeded');
  });

  it('expired version reads the pod again', async () => {
    const api = new FakeWatchApi([pod('5', 'Pending'), pod('20', 'Running')], [
      { events: [{ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } }], then: 'stay-open' },
      { events: [{ type: 'MODIFIED', object: pod('21', 'Succeeded') }], then: 'stay-open' },
    ]);
    const { result } = await watchUntilSucceeded(api);

    assert.equal(result.pod.metadata?.resourceVersion, '21');
    assert.equal(api.reads, 2);
    assert.deepEqual(api.watchedFrom, ['5', '20']);
  });

  it('deleted pod ends the watch', async () => {
    const api = new FakeWatchApi([pod('5', 'Running')], [{ events: [{ type: 'DELETED', object: pod('8', 'Running') }], then: 'stay-open' }]);
    const { result } = await watchUntilSucceeded(api);

    assert.equal(result.deleted, true);
    assert.equal(result.pod.metadata?.resourceVersion, '8');
  });

  it('watch refused with 429 and 503 reconnects', async () => {
    const api = new FakeWatchApi([pod('5', 'Pending')], [
      { fail: refused(429) },
      { fail: refused(503) },
      { events: [{ type: 'MODIFIED', object: pod('6', 'Succeeded') }], then: 'stay-open' },
    ]);
    const { result } = await watchUntilSucceeded(api);

    assert.equal(result.pod.metadata?.resourceVersion, '6');
    assert.deepEqual(api.watchedFrom, ['5', '5', '5']);
  });

  it('dropped connection resumes from the last version', async () => {
    const hangUp = Object.assign(new Error('request failed, reason: socket hang up'), { code: 'ECONNRESET' });
    const api = new FakeWatchApi([pod('5', 'Pending')], [
      { events: [{ type: 'MODIFIED', object: pod('6', 'Running') }], then: 'close' },
      { fail: hangUp },
      { events: [{ type: 'MODIFIED', object: pod('7', 'Succeeded') }], then: 'stay-open' },
    ]);
    const { result } = await watchUntilSucceeded(api);

    assert.equal(result.pod.metadata?.resourceVersion, '7');
    assert.deepEqual(api.watchedFrom, ['5', '6', '6']);
  });

  it('watch refused with 410 reads the pod again', async () => {
    const api = new FakeWatchApi([pod('5', 'Pending'), pod('30', 'Running')], [
      { fail: refused(410) },
      { events: [{ type: 'MODIFIED', object: pod('31', 'Succeeded') }], then: 'stay-open' },
    ]);
    const { result } = await watchUntilSucceeded(api);

    assert.equal(result.pod.metadata?.resourceVersion, '31');
    assert.equal(api.reads, 2);
    assert.deepEqual(api.watchedFrom, ['5', '30']);
  });

  it('watch refused with 403 rejects', async () => {
    const api = new FakeWatchApi([pod('5', 'Pending')], [{ fail: refused(403) }]);

    await assert.rejects(watchUntilSucceeded(api), /HTTP 403/);
    assert.equal(api.watchedFrom.length, 1);
  });

  it('gives up after four failures in a row', async () => {
    const api = new FakeWatchApi([pod('5', 'Pending')], [
      { fail: refused(503) }, { fail: refused(503) }, { fail: refused(503) }, { fail: refused(502) },
    ]);

    await assert.rejects(watchUntilSucceeded(api), /HTTP 502/);
    assert.equal(api.watchedFrom.length, 4);
  });

  it('a good watch resets the failure count', async () => {
    const api = new FakeWatchApi([pod('5', 'Pending')], [
      { fail: refused(503) }, { fail: refused(503) }, { fail: refused(503) },
      { events: [{ type: 'MODIFIED', object: pod('6', 'Running') }], then: 'close' },
      { fail: refused(503) }, { fail: refused(503) }, { fail: refused(503) },
      { events: [{ type: 'MODIFIED', object: pod('7', 'Succeeded') }], then: 'stay-open' },
    ]);
    const { result } = await watchUntilSucceeded(api);

    assert.equal(result.pod.metadata?.resourceVersion, '7');
    assert.equal(api.watchedFrom.length, 8);
  });

  it('abort rejects with the reason', async () => {
    const api = new FakeWatchApi([pod('5', 'Running')], [{ events: [], then: 'stay-open' }]);
    const abort = new AbortController();
    const watching = watchUntilSucceeded(api, abort.signal);
    setTimeout(() => abort.abort(new Error('cancelled by test')), 50);

    await assert.rejects(watching, /cancelled by test/);
    assert.equal(api.watchSignals[0].aborted, true, 'the watch was not stopped');
  });
});
