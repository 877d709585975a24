// followLog against a fake log endpoint that closes streams early, answers 400 while the
// container waits, and replays the lines of the second it resumes from.
import { strict as assert } from 'node:assert';
import { ApiException } from '@kubernetes/client-node';
import { followLog } from '../../../tasks/KanikoBuildV1/src/kubernetes/pod-log';
import { ReconnectPacer, STREAM_RECONNECT_POLICY } from '../../../tasks/KanikoBuildV1/src/kubernetes/reconnect';
import { FakeLogApi, type LogLine, type StreamStep } from './support/fake-log-api';

const TARGET = { namespace: 'builds', name: 'kaniko-1234-abcd1234', container: 'kaniko' };

const LOG: LogLine[] = [
  { stamp: '2024-05-01T10:00:00.1Z', text: 'INFO step one' },
  { stamp: '2024-05-01T10:00:01.2Z', text: 'INFO step two' },
  { stamp: '2024-05-01T10:00:01.5Z', text: 'INFO step three' },
  { stamp: '2024-05-01T10:00:01.5Z', text: 'INFO step three, same time' },
  { stamp: '2024-05-01T10:00:01.987654321Z', text: 'INFO step four' },
  { stamp: '2024-05-01T10:00:02Z', text: 'INFO step five: ünïcode ✓' },
  { stamp: '2024-05-01T10:00:02.000000001Z', text: '' },
  { stamp: '2024-05-01T10:00:03.25Z', text: 'INFO pushed sha256:abc' },
];
const ALL_TEXTS = LOG.map((line) => line.text);

/** Reconnects after 2 ms, so that tests of failures run fast; at most three failures in a row. */
const FAST_RECONNECTS = { ...STREAM_RECONNECT_POLICY, maxAttempts: 4, baseDelayMs: 2, maxDelayMs: 2, maxRetryAfterMs: 2 };

async function follow(api: FakeLogApi, signal = new AbortController().signal): Promise<string[]> {
  const received: string[] = [];
  await followLog(api.asClusterApi(), TARGET, (line) => received.push(line), api.ended, signal, new ReconnectPacer(FAST_RECONNECTS));
  return received;
}

function unavailable(code: number): ApiException<string> {
  const body = JSON.stringify({ kind: 'Status', code, reason: 'ServiceUnavailable', message: 'the server is shutting down' });
  return new ApiException(code, 'Service Unavailable', body, { 'retry-after': '1' });
}

function badRequest(): ApiException<string> {
  const body = JSON.stringify({ kind: 'Status', code: 400, reason: 'BadRequest', message: 'container "kaniko" is waiting to start: ContainerCreating' });
  return new ApiException(400, 'Bad Request', body, {});
}

describe('kubernetes: followLog', function () {
  this.timeout(10_000);

  it('one stream of an ended container', async () => {
    const api = new FakeLogApi(LOG, [{ kind: 'send', until: LOG.length }]);
    api.finished = true;

    assert.deepEqual(await follow(api), ALL_TEXTS);
    assert.equal(api.calls.length, 1);
    assert.equal(api.calls[0].sinceTime, undefined);
  });

  it('ends with a read after the container ended', async () => {
    const api = new FakeLogApi(LOG, [{ kind: 'send', until: LOG.length, finishAfter: true }]);

    assert.deepEqual(await follow(api), ALL_TEXTS);
    assert.deepEqual(api.calls.map((call) => call.sinceTime), [undefined, '2024-05-01T10:00:03Z']);
  });

  it('stream cut after the container ended', async () => {
    // The container ends while the stream runs; the stream then closes early, before its last lines.
    const api = new FakeLogApi(LOG, [{ kind: 'send', until: 3, finishAfter: true }]);

    assert.deepEqual(await follow(api), ALL_TEXTS);
    assert.deepEqual(api.calls.map((call) => call.sinceTime), [undefined, '2024-05-01T10:00:01Z']);
  });

  const resumeCases: { name: string; steps: StreamStep[]; sinceTimes: (string | undefined)[] }[] = [
    {
      name: 'close between seconds',
      steps: [{ kind: 'send', until: 1 }, { kind: 'send', until: LOG.length, finishAfter: true }],
      sinceTimes: [undefined, '2024-05-01T10:00:00Z', '2024-05-01T10:00:03Z'],
    },
    {
      name: 'close inside a second',
      steps: [{ kind: 'send', until: 2 }, { kind: 'send', until: LOG.length, finishAfter: true }],
      sinceTimes: [undefined, '2024-05-01T10:00:01Z', '2024-05-01T10:00:03Z'],
    },
    {
      name: 'close between equal timestamps',
      steps: [{ kind: 'send', until: 3 }, { kind: 'send', until: LOG.length, finishAfter: true }],
      sinceTimes: [undefined, '2024-05-01T10:00:01Z', '2024-05-01T10:00:03Z'],
    },
    {
      name: 'several closes',
      steps: [
        { kind: 'send', until: 2 }, { kind: 'send', until: 4 }, { kind: 'send', until: 4 }, { kind: 'send', until: 6 },
        { kind: 'send', until: LOG.length, finishAfter: true },
      ],
      sinceTimes: [undefined, '2024-05-01T10:00:01Z', '2024-05-01T10:00:01Z', '2024-05-01T10:00:01Z', '2024-05-01T10:00:02Z', '2024-05-01T10:00:03Z'],
    },
    {
      name: 'close before any line',
      steps: [{ kind: 'send', until: 0 }, { kind: 'send', until: LOG.length, finishAfter: true }],
      sinceTimes: [undefined, undefined, '2024-05-01T10:00:03Z'],
    },
  ];
  for (const { name, steps, sinceTimes } of resumeCases) {
    it(`resume after ${name}`, async () => {
      const api = new FakeLogApi(LOG, steps);
      const received = await follow(api);

      assert.deepEqual(received, ALL_TEXTS);
      assert.deepEqual(api.calls.map((call) => call.sinceTime), sinceTimes);
    });
  }

  it('end during the pause reads at once', async () => {
    // The stream closes when the container exits, and the pod's status shows the end 30 ms later.
    const api = new FakeLogApi(LOG, [{ kind: 'send', until: LOG.length }]);
    const started = Date.now();
    const ending = setTimeout(() => { api.finished = true; }, 30);
    const received = await follow(api).finally(() => clearTimeout(ending));
    const elapsedMs = Date.now() - started;

    assert.deepEqual(received, ALL_TEXTS);
    assert.deepEqual(api.calls.map((call) => call.sinceTime), [undefined, '2024-05-01T10:00:03Z']);
    // The pause before a new stream is 500 ms, and the end must cut it short.
    assert.ok(elapsedMs < 400, `the follow took ${elapsedMs} ms`);
  });

  it('end cuts an open stream', async () => {
    // The pod's status shows the end while the stream still runs, as when the kubelet ends it late.
    const api = new FakeLogApi(LOG, [{ kind: 'hang', until: 3 }]);
    const received: string[] = [];
    await followLog(api.asClusterApi(), TARGET, (line) => {
      received.push(line);
      if (received.length === 3) api.finished = true;
    }, api.ended, new AbortController().signal);

    assert.deepEqual(received, ALL_TEXTS);
    assert.equal(api.calls[0].controller.signal.aborted, true);
    assert.deepEqual(api.calls.map((call) => call.sinceTime), [undefined, '2024-05-01T10:00:01Z']);
  });

  it('resume after close mid-line', async () => {
    const partial = `${LOG[2].stamp} ${LOG[2].text.slice(0, 8)}`;
    const api = new FakeLogApi(LOG, [{ kind: 'send', until: 2, tail: partial }, { kind: 'send', until: LOG.length, finishAfter: true }]);

    assert.deepEqual(await follow(api), ALL_TEXTS);
  });

  it('400 while waiting is retried', async () => {
    const api = new FakeLogApi(LOG, [
      { kind: 'throw', error: badRequest() }, { kind: 'throw', error: badRequest() }, { kind: 'send', until: LOG.length, finishAfter: true },
    ]);

    assert.deepEqual(await follow(api), ALL_TEXTS);
    assert.equal(api.calls.length, 4);
  });

  it('other error retried while running', async () => {
    const api = new FakeLogApi(LOG, [
      { kind: 'throw', error: new Error('socket hang up') }, { kind: 'send', until: LOG.length, finishAfter: true },
    ]);

    assert.deepEqual(await follow(api), ALL_TEXTS);
    assert.equal(api.calls.length, 3);
  });

  it('other error after finish is thrown', async () => {
    const api = new FakeLogApi(LOG, [{ kind: 'throw', error: new Error('certificate has expired') }]);
    api.finished = true;

    await assert.rejects(follow(api), /certificate has expired/);
    assert.equal(api.calls.length, 1);
  });

  it('429 and 503 while running reconnect', async () => {
    const api = new FakeLogApi(LOG, [
      { kind: 'send', until: 2 }, { kind: 'throw', error: unavailable(429) }, { kind: 'throw', error: unavailable(503) },
      { kind: 'send', until: LOG.length, finishAfter: true },
    ]);

    assert.deepEqual(await follow(api), ALL_TEXTS);
    assert.deepEqual(api.calls.map((call) => call.sinceTime), [
      undefined, '2024-05-01T10:00:01Z', '2024-05-01T10:00:01Z', '2024-05-01T10:00:01Z', '2024-05-01T10:00:03Z',
    ]);
  });

  it('dropped connection after finish reconnects for the last lines', async () => {
    const api = new FakeLogApi(LOG, [
      { kind: 'send', until: 4 }, { kind: 'throw', error: new ApiException(500, 'Error occurred in log request', undefined, {}) },
      { kind: 'send', until: LOG.length },
    ]);
    const fake = api.asClusterApi();
    // The container ends between the first stream and the reconnect that fails.
    const cluster = { ...fake, streamLog: (...args: Parameters<typeof fake.streamLog>) => {
      if (api.calls.length === 1) api.finished = true;
      return fake.streamLog(...args);
    } };
    const received: string[] = [];
    await followLog(cluster, TARGET, (line) => received.push(line), api.ended, new AbortController().signal,
      new ReconnectPacer(FAST_RECONNECTS));

    assert.deepEqual(received, ALL_TEXTS);
    assert.equal(api.calls.length, 3);
  });

  it('failures after finish give up after the policy', async () => {
    const api = new FakeLogApi(LOG, [1, 2, 3, 4, 5].map(() => ({ kind: 'throw', error: unavailable(503) })));
    api.finished = true;

    await assert.rejects(follow(api), (error: ApiException<string>) => error.code === 503);
    assert.equal(api.calls.length, 4);
  });

  it('400 after finish ends quietly', async () => {
    const api = new FakeLogApi(LOG, [{ kind: 'throw', error: badRequest() }]);
    api.finished = true;

    assert.deepEqual(await follow(api), []);
    assert.equal(api.calls.length, 1);
  });

  it('last line without newline passes', async () => {
    const tail = '2024-05-01T10:00:04Z INFO no newline at the end';
    const api = new FakeLogApi(LOG, [{ kind: 'send', until: LOG.length, tail }]);
    api.finished = true;

    assert.deepEqual(await follow(api), [...ALL_TEXTS, 'INFO no newline at the end']);
  });

  it('line without timestamp passes whole', async () => {
    const api = new FakeLogApi([], [{ kind: 'send', until: 0, finishAfter: true, tail: 'unstamped line\n' }]);

    assert.deepEqual(await follow(api), ['unstamped line']);
  });

  it('abort stops a hanging stream', async () => {
    const api = new FakeLogApi(LOG, [{ kind: 'hang', until: 3 }]);
    const abort = new AbortController();
    const received: string[] = [];
    const following = followLog(api.asClusterApi(), TARGET, (line) => {
      received.push(line);
      if (received.length === 3) abort.abort();
    }, api.ended, abort.signal);

    await following;
    assert.deepEqual(received, ALL_TEXTS.slice(0, 3));
    assert.equal(api.calls.length, 1);
    assert.equal(api.calls[0].controller.signal.aborted, true);
  });

  it('aborted signal makes no request', async () => {
    const api = new FakeLogApi(LOG, []);

    assert.deepEqual(await follow(api, AbortSignal.abort()), []);
    assert.equal(api.calls.length, 0);
  });
});
