import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import type { FaultPlan } from '../../../../tools/local-cluster/index';
import { failure, kubeConfigFor, startTestServer, type TestServer } from './helpers';
import { responseOf, type RawOutcome, rawRequest, type RawTarget } from './raw-client';

const NAMESPACE = 'faults';
const SECRETS = `/api/v1/namespaces/${NAMESPACE}/secrets`;
const ALL_RIGHTS = [{ verbs: ['*'], resources: ['*'] }];

function secret(name: string) {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData: { key: 'value' } };
}

/** Returns the status code of a response, or `dropped`. */
function outcomeText(outcome: RawOutcome): string {
  return outcome.kind === 'dropped' ? 'dropped' : String(outcome.response.status);
}

describe('local API server: injected faults of plain requests', () => {
  let test: TestServer;
  let builder: RawTarget;
  let admin: RawTarget;

  before(async () => {
    test = await startTestServer();
    test.server.createNamespace(NAMESPACE);
    const token = test.server.addUser('builder', ALL_RIGHTS);
    builder = { url: test.server.url, caPem: test.server.caPem, token };
    admin = { ...builder, token: test.server.adminToken };
  });

  afterEach(() => {
    test.server.setFaults(undefined);
  });

  after(async () => {
    await test.server.stop();
  });

  it('rejects an invalid plan', () => {
    const cases: Array<[Partial<FaultPlan>, RegExp]> = [
      [{ seed: 1.5 }, /seed must be an integer, got 1\.5/],
      [{ seed: 1, errorBurst: { probability: 1.2, length: 2 } }, /errorBurst\.probability must be a number from 0 to 1, got 1\.2/],
      [{ seed: 1, errorBurst: { probability: 1, length: 0 } }, /errorBurst\.length must be an integer of at least 1, got 0/],
      [{ seed: 1, errorBurst: { probability: 1, length: 1, codes: [502] } }, /errorBurst\.codes must be a non-empty list of 500, 503, 504, got \[502\]/],
      [{ seed: 1, tooManyRequests: { probability: 1, retryAfterSeconds: 0 } }, /tooManyRequests\.retryAfterSeconds must be an integer of at least 1/],
      [{ seed: 1, slowResponse: { probability: 1, delayMs: -5 } }, /slowResponse\.delayMs must be a number of at least 0, got -5/],
      [{ seed: 1, cutWatch: { probability: 1, minMs: 50, maxMs: 10 } }, /cutWatch\.minMs \(50\) must not be greater than cutWatch\.maxMs \(10\)/],
      [{ seed: 1, cutLog: { probability: 1, minBytes: 1.5, maxBytes: 10 } }, /cutLog\.minBytes must be an integer of at least 0, got 1\.5/],
      [{ seed: 1, users: [''] }, /users must be a list of user names/],
    ];
    for (const [plan, message] of cases) {
      assert.throws(() => test.server.setFaults(plan as FaultPlan), message, JSON.stringify(plan));
    }
  });

  it('returns bursts of 5xx Status bodies', async () => {
    const expected: Record<number, { reason: string; message: string }> = {
      500: { reason: 'InternalError', message: 'Internal error occurred: etcdserver: request timed out' },
      503: { reason: 'ServiceUnavailable', message: 'the server is currently unable to handle the request' },
      504: { reason: 'Timeout', message: 'Timeout: request did not complete within the allotted timeout' },
    };
    for (const [code, status] of Object.entries(expected)) {
      test.server.setFaults({ seed: 3, errorBurst: { probability: 1, length: 3, codes: [Number(code)] } });
      for (let index = 0; index < 3; index += 1) {
        const response = responseOf(await rawRequest(builder, 'GET', SECRETS));
        assert.equal(response.status, Number(code));
        const body = JSON.parse(response.body) as Record<string, unknown>;
        assert.equal(body.kind, 'Status');
        assert.equal(body.status, 'Failure');
        assert.equal(body.reason, status.reason);
        assert.equal(body.message, status.message);
        assert.equal(body.code, Number(code));
      }
      assert.deepEqual({ bursts: test.server.faultCounts().errorBursts, errors: test.server.faultCounts().errors }, { bursts: 1, errors: 3 });
      // The burst ended after three responses, so the next request starts a second one.
      await rawRequest(builder, 'GET', SECRETS);
      assert.equal(test.server.faultCounts().errorBursts, 2);
    }
  });

  it('forgets the burst under way with a new plan', async () => {
    test.server.setFaults({ seed: 11, errorBurst: { probability: 1, length: 2 } });
    const first = [await rawRequest(builder, 'GET', SECRETS), await rawRequest(builder, 'GET', SECRETS)];
    assert.ok(first.every((outcome) => outcome.kind === 'response' && outcome.response.status >= 500));
    test.server.setFaults({ seed: 11, errorBurst: { probability: 0, length: 2 } });
    assert.equal(responseOf(await rawRequest(builder, 'GET', SECRETS)).status, 200);
  });

  it('picks every default burst code', async () => {
    test.server.setFaults({ seed: 5, errorBurst: { probability: 1, length: 1 } });
    const codes = new Set<number>();
    for (let index = 0; index < 30; index += 1) codes.add(responseOf(await rawRequest(builder, 'GET', SECRETS)).status);
    assert.deepEqual([...codes].sort(), [500, 503, 504]);
    assert.equal(test.server.faultCounts().errorBursts, 30);
  });

  it('returns 429 Status with Retry-After', async () => {
    test.server.setFaults({ seed: 1, tooManyRequests: { probability: 1, retryAfterSeconds: 3 } });
    const response = responseOf(await rawRequest(builder, 'POST', SECRETS, secret('throttled')));
    assert.equal(response.status, 429);
    assert.equal(response.headers['retry-after'], '3');
    const body = JSON.parse(response.body) as { reason: string; code: number; details: { retryAfterSeconds: number } };
    assert.equal(body.reason, 'TooManyRequests');
    assert.equal(body.code, 429);
    assert.equal(body.details.retryAfterSeconds, 3);
    assert.equal(test.server.listObjects('secrets', NAMESPACE).some((object) => object.metadata.name === 'throttled'), false);
    assert.equal(test.server.faultCounts().tooManyRequests, 1);
  });

  it('returns 429 as plain text', async () => {
    test.server.setFaults({ seed: 1, tooManyRequests: { probability: 1, retryAfterSeconds: 1, body: 'plainText' } });
    const response = responseOf(await rawRequest(builder, 'GET', SECRETS));
    assert.equal(response.status, 429);
    assert.equal(response.headers['retry-after'], '1');
    assert.equal(response.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(response.body, 'Too many requests, please try again later.\n');
  });

  it('drops connections before and after acting', async () => {
    test.server.setFaults({ seed: 21, dropConnection: { probability: 1 } });
    const names = Array.from({ length: 16 }, (_, index) => `dropped-${index}`);
    for (const name of names) {
      const outcome = await rawRequest(builder, 'POST', SECRETS, secret(name));
      assert.equal(outcome.kind, 'dropped', name);
    }
    const stored = new Set(test.server.listObjects('secrets', NAMESPACE).map((object) => object.metadata.name));
    const created = names.filter((name) => stored.has(name)).length;
    assert.ok(created > 0, 'every drop happened before the server acted');
    assert.ok(created < names.length, 'every drop happened after the server acted');
    assert.equal(test.server.faultCounts().droppedConnections, names.length);
  });

  it('makes a retried create AlreadyExists', async () => {
    const core = kubeConfigFor(test.server.kubeconfig({ token: builder.token })).makeApiClient(CoreV1Api);
    test.server.setFaults({ seed: 21, dropConnection: { probability: 1 } });
    let created: string | undefined;
    for (let index = 0; index < 16 && created === undefined; index += 1) {
      const name = `retried-${index}`;
      await assert.rejects(core.createNamespacedSecret({ namespace: NAMESPACE, body: secret(name) }));
      if (test.server.listObjects('secrets', NAMESPACE).some((object) => object.metadata.name === name)) created = name;
    }
    assert.ok(created, 'no drop happened after a create');
    test.server.setFaults(undefined);
    const { code, status } = await failure(core.createNamespacedSecret({ namespace: NAMESPACE, body: secret(created) }));
    assert.equal(code, 409);
    assert.equal(status.reason, 'AlreadyExists');
  });

  it('delays slow responses', async () => {
    test.server.setFaults({ seed: 1, slowResponse: { probability: 1, delayMs: 300 } });
    const started = Date.now();
    assert.equal(responseOf(await rawRequest(builder, 'GET', SECRETS)).status, 200);
    assert.ok(Date.now() - started >= 290, `responded after ${Date.now() - started} ms`);
    assert.equal(test.server.faultCounts().slowResponses, 1);
  });

  it('spares the admin unless the plan names it', async () => {
    test.server.setFaults({ seed: 1, errorBurst: { probability: 1, length: 1 } });
    assert.equal(responseOf(await rawRequest(admin, 'GET', SECRETS)).status, 200);
    test.server.setFaults({ seed: 1, users: ['local-cluster-admin'], errorBurst: { probability: 1, length: 1 } });
    assert.ok(responseOf(await rawRequest(admin, 'GET', SECRETS)).status >= 500);
    assert.equal(responseOf(await rawRequest(builder, 'GET', SECRETS)).status, 200);
  });

  it('applies only to the users the plan names', async () => {
    const other: RawTarget = { ...builder, token: test.server.addUser('reader', ALL_RIGHTS) };
    test.server.setFaults({ seed: 1, users: ['reader'], tooManyRequests: { probability: 1, retryAfterSeconds: 1 } });
    assert.equal(responseOf(await rawRequest(builder, 'GET', SECRETS)).status, 200);
    assert.equal(responseOf(await rawRequest(other, 'GET', SECRETS)).status, 429);
  });

  it('spares discovery, version and health paths', async () => {
    test.server.setFaults({ seed: 1, errorBurst: { probability: 1, length: 1 }, dropConnection: { probability: 1 } });
    for (const path of ['/version', '/api', '/api/v1', '/apis', '/healthz', '/readyz', '/livez']) {
      assert.equal(responseOf(await rawRequest(builder, 'GET', path)).status, 200, path);
    }
    assert.ok(responseOf(await rawRequest(builder, 'GET', '/apis/apps/v1/deployments')).status >= 500);
    assert.deepEqual(test.server.faultCounts().errors, 1);
  });

  it('gives equal decisions for equal seeds', async () => {
    const plan = (seed: number): FaultPlan => ({
      seed,
      errorBurst: { probability: 0.15, length: 2 },
      tooManyRequests: { probability: 0.2, retryAfterSeconds: 1 },
      dropConnection: { probability: 0.1 },
    });
    const run = async (seed: number): Promise<string[]> => {
      test.server.setFaults(plan(seed));
      const outcomes: string[] = [];
      for (let index = 0; index < 40; index += 1) outcomes.push(outcomeText(await rawRequest(builder, 'GET', SECRETS)));
      return outcomes;
    };
    const first = await run(42);
    const counts = test.server.faultCounts();
    assert.deepEqual(await run(42), first);
    assert.deepEqual(test.server.faultCounts(), counts);
    assert.notDeepEqual(await run(43), first);
    for (const expected of ['200', '429', 'dropped']) assert.ok(first.includes(expected), `seed 42 gave no ${expected}: ${first.join(' ')}`);
    assert.ok(first.some((outcome) => Number(outcome) >= 500), `seed 42 gave no 5xx: ${first.join(' ')}`);
  });

  it('starts the counts again with each plan', async () => {
    test.server.setFaults({ seed: 1, tooManyRequests: { probability: 1, retryAfterSeconds: 1 } });
    await rawRequest(builder, 'GET', SECRETS);
    assert.equal(test.server.faultCounts().tooManyRequests, 1);
    test.server.setFaults({ seed: 1 });
    assert.equal(test.server.faultCounts().tooManyRequests, 0);
    test.server.setFaults(undefined);
    assert.equal(responseOf(await rawRequest(builder, 'GET', SECRETS)).status, 200);
    assert.equal(test.server.faultCounts().tooManyRequests, 0);
  });
});
