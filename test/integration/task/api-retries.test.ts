// A build through a proxy in front of the local API server that fails the first try of each
// kind of call: 503 and 429 with Retry-After, 502, and connections dropped after the server
// handled a create or a delete. The task retries each call, reads back what a dropped create
// made, and still builds, reports and cleans up as without faults.
import * as assert from 'node:assert/strict';
import { buildKubeconfig } from '../../../tools/local-cluster/apiserver/kubeconfig';
import { startFlakyProxy, type Fault, type FlakyProxy, type ProxiedRequest } from '../flaky-proxy';
import { sharedStandIns } from '../stand-ins';
import { assertNothingLeft, assertNoSecretInOutput, errors, kubeconfigEndpoint, runBuild, type BuildRun } from './harness';

// Enough steps that the build still runs after the create calls' retries, so that the pod is watched.
const STEPS = Array.from({ length: 30 }, (_, step) => `RUN echo step ${step + 1} of 30\n`).join('');
const SMALL_BUILD = { Dockerfile: `FROM alpine:3.20\n${STEPS}RUN echo built through a flaky API server\n` };

/** The calls whose first try fails, and how. */
const FIRST_TRY_FAULTS: { name: string; matches: (request: ProxiedRequest) => boolean; fault: Fault }[] = [
  { name: 'GET /version', matches: (request) => request.method === 'GET' && request.path === '/version', fault: { kind: 'status', code: 503, retryAfterSeconds: 1 } },
  { name: 'create Secret', matches: (request) => request.method === 'POST' && /\/secrets$/.test(request.path), fault: { kind: 'drop-after' } },
  { name: 'create pod', matches: (request) => request.method === 'POST' && /\/pods$/.test(request.path), fault: { kind: 'drop-after' } },
  { name: 'patch Secret', matches: (request) => request.method === 'PATCH', fault: { kind: 'status', code: 429, retryAfterSeconds: 1 } },
  { name: 'watch pod', matches: (request) => request.method === 'GET' && request.path.includes('watch=true'), fault: { kind: 'status', code: 503 } },
  { name: 'pod log', matches: (request) => request.method === 'GET' && /\/log\?/.test(request.path), fault: { kind: 'status', code: 502 } },
  { name: 'delete pod', matches: (request) => request.method === 'DELETE' && /\/pods\//.test(request.path), fault: { kind: 'drop-after' } },
  { name: 'delete Secret', matches: (request) => request.method === 'DELETE' && /\/secrets\//.test(request.path), fault: { kind: 'status', code: 500 } },
];

describe('KanikoBuild with a flaky API server', function () {
  this.timeout(120_000);
  let proxy: FlakyProxy;
  let build: BuildRun;

  before(async () => {
    const standIns = await sharedStandIns();
    const faulted = new Set<string>();
    proxy = await startFlakyProxy({
      target: standIns.cluster.url,
      targetCaPem: standIns.cluster.caPem,
      tls: true,
      decide: (request) => {
        const rule = FIRST_TRY_FAULTS.find((candidate) => candidate.matches(request));
        if (!rule || faulted.has(rule.name)) return { kind: 'pass' };
        faulted.add(rule.name);
        return rule.fault;
      },
    });
    const kubeconfig = buildKubeconfig({ server: proxy.url, caPem: proxy.caPem!, token: standIns.cluster.adminToken, userName: 'builder' });
    build = await runBuild({ files: SMALL_BUILD, clusterEndpoint: kubeconfigEndpoint(standIns, { kubeconfig }) });
  });

  after(async () => {
    await proxy?.stop();
  });

  it('succeeds', () => {
    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.match(build.run.variables.imageDigest?.value ?? '', /^sha256:[a-f0-9]{64}$/);
  });

  it('every faulted call was sent again', () => {
    for (const { name, matches } of FIRST_TRY_FAULTS) {
      const tries = proxy.log.filter((entry) => matches(entry.request));
      assert.ok(tries.length >= 2, `${name} was sent ${tries.length} time(s)`);
      assert.equal(tries[1].fault.kind, 'pass', `${name}: the second try was faulted too`);
    }
  });

  it('logs each retry with the call and reason', () => {
    const log = build.run.log.join('\n');
    assert.match(log, /The request to GET \/version failed: HTTP 503 ServiceUnavailable: injected by the test proxy: HTTP 503\. Retrying in 1\.0 s \(attempt 2 of 5\)\./);
    assert.match(log, /The request to create Secret build-[0-9a-f]+\/kaniko-4711-[0-9a-f]+-\w+ failed: socket hang up \(ECONNRESET\)\. Retrying in \d\.\d s \(attempt 2 of 5\)\./);
    assert.match(log, /The request to patch Secret .+ failed: HTTP 429 TooManyRequests: .+ Retrying in 1\.0 s/);
    assert.match(log, /The request to delete Secret .+ failed: HTTP 500 ServiceUnavailable: .+ Retrying in/);
  });

  it('reads back what a dropped create made', () => {
    const log = build.run.log.join('\n');
    assert.match(log, /The retried request to create Secret build-[0-9a-f]+\/kaniko-4711-[0-9a-f]+-registry found the object already there/);
    assert.match(log, /The retried request to create pod build-[0-9a-f]+\/kaniko-4711-[0-9a-f]+ found the object already there/);
    const runs = build.standIns.cluster.runs.filter((record) => record.namespace === build.namespace);
    assert.equal(runs.length, 1, 'the pod ran more than once');
  });

  it('shows the whole build log once', () => {
    for (let step = 1; step <= 30; step += 1) {
      const lines = build.run.log.filter((line) => line === `step ${step} of 30`);
      assert.equal(lines.length, 1, `the output of step ${step} appears ${lines.length} times`);
    }
    assert.ok(build.run.log.includes('built through a flaky API server'), build.run.log.join('\n'));
  });

  it('leaves nothing behind', async () => {
    assert.deepEqual(build.run.issues.filter((issue) => issue.type === 'warning').map((issue) => issue.message), []);
    await assertNothingLeft(build);
  });

  it('prints no secret', () => {
    assertNoSecretInOutput(build);
  });
});
