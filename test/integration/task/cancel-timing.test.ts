// Cancels at each phase of a build, with the agent's real signal timeouts. The task must delete
// what it created and end before the agent would send SIGTERM (7.5 s after SIGINT). That holds
// also when the API server handles deletes slowly or requests retries later than the cleanup can wait.
import * as assert from 'node:assert/strict';
import { buildKubeconfig } from '../../../tools/local-cluster/apiserver/kubeconfig';
import { startFlakyProxy, type Fault, type FlakyProxy, type ProxiedRequest } from '../flaky-proxy';
import { sharedAzurite, sharedStandIns } from '../stand-ins';
import { assertNothingLeft, kubeconfigEndpoint, listBlobs, runBuild, type BuildRun, type BuildScenario } from './harness';

const STEPS = Array.from({ length: 30 }, (_, step) => `RUN echo step ${step + 1} of 30\n`).join('');
const LONG_BUILD = { Dockerfile: `FROM alpine:3.20\n${STEPS}` };
/** The agent sends SIGTERM this long after SIGINT (PROCESS_SIGINT_TIMEOUT). */
const SIGTERM_AFTER_MS = 7_500;
const PASS: Fault = { kind: 'pass' };

interface TimedCancel {
  build: BuildRun;
  /** From the line that triggered the cancel to the end of the run, in milliseconds. */
  cancelToEndMs: number;
}

/**
 * Runs a build that the runner cancels when a line matches `trigger`, or when `trigger` aborts,
 * and times the cancel.
 */
async function cancelAt(trigger: RegExp | AbortController, scenario: BuildScenario = {}): Promise<TimedCancel> {
  let cancelledAt = 0;
  if (trigger instanceof AbortController) trigger.signal.addEventListener('abort', () => (cancelledAt = Date.now()), { once: true });
  const build = await runBuild({
    files: LONG_BUILD,
    ...scenario,
    cancel: trigger instanceof AbortController ? { signal: trigger.signal } : { whenLine: trigger },
    onLine: (line) => {
      scenario.onLine?.(line);
      if (!cancelledAt && trigger instanceof RegExp && trigger.test(line)) cancelledAt = Date.now();
    },
  });
  assert.ok(cancelledAt > 0, `the run was not cancelled:\n${build.run.log.join('\n')}`);
  return { build, cancelToEndMs: Date.now() - cancelledAt };
}

function assertEndedBeforeSigterm({ build, cancelToEndMs }: TimedCancel): void {
  assert.equal(build.run.canceled, true);
  assert.equal(build.run.result, 'Canceled');
  assert.deepEqual(build.run.signalsSent, ['SIGINT'], `the task was still running ${SIGTERM_AFTER_MS} ms after SIGINT`);
  assert.ok(cancelToEndMs < SIGTERM_AFTER_MS, `the cancel took ${cancelToEndMs} ms`);
}

function deletedLines(build: BuildRun): string[] {
  return build.run.log.filter((line) => line.startsWith('Deleted '));
}

describe('KanikoBuild cancel timing', function () {
  this.timeout(180_000);
  const proxies: FlakyProxy[] = [];

  after(async () => {
    await Promise.all(proxies.map((proxy) => proxy.stop()));
  });

  it('cancel during the upload', async () => {
    // Put Block waits 20 s at the proxy, and the first one cancels the run, so that the cancel
    // lands while the upload runs.
    const azurite = await sharedAzurite();
    const cancel = new AbortController();
    const isPutBlock = (request: ProxiedRequest): boolean => request.method === 'PUT' && /[?&]comp=block(&|$)/.test(request.path);
    const proxy = await startFlakyProxy({
      target: azurite.blobEndpoint,
      decide: (request) => {
        if (!isPutBlock(request)) return PASS;
        cancel.abort();
        return { kind: 'delay', ms: 20_000 };
      },
    });
    proxies.push(proxy);
    const timed = await cancelAt(cancel, { inputs: { storageBlobEndpoint: `${proxy.url}/${azurite.accountName}` } });

    assertEndedBeforeSigterm(timed);
    assert.ok(proxy.log.some((entry) => isPutBlock(entry.request)), 'the upload had not started');
    assert.ok(!timed.build.run.log.some((line) => line.startsWith('Uploaded ')), 'the upload finished before the cancel');
    assert.ok(!timed.build.run.log.some((line) => line.startsWith('Created pod ')), 'a pod was created after the cancel');
    // The kept archive was never committed, so there is nothing to delete.
    assert.deepEqual(deletedLines(timed.build), [], timed.build.run.log.join('\n'));
    assert.deepEqual(await listBlobs(timed.build), []);
    await assertNothingLeft(timed.build);
  });

  it('cancel right after the pod is created', async () => {
    const timed = await cancelAt(/^Created pod /);

    assertEndedBeforeSigterm(timed);
    assert.equal(deletedLines(timed.build).length, 3, timed.build.run.log.join('\n'));
    await waitForEmpty(timed.build);
  });

  it('cancel during the build log', async () => {
    const timed = await cancelAt(/^step 3 of 30$/);

    assertEndedBeforeSigterm(timed);
    assert.ok(!timed.build.run.log.includes('step 30 of 30'), 'the build ran to its end');
    assert.equal(deletedLines(timed.build).length, 3, timed.build.run.log.join('\n'));
    await waitForEmpty(timed.build);
  });

  it('cancel with a slow API server still ends in time', async () => {
    // After the cancel, pod deletes take 20 s and Secret deletes are asked to retry in 10 s:
    // neither may hold the cleanup past its time limit.
    const standIns = await sharedStandIns();
    let cancelled = false;
    const proxy = await startFlakyProxy({
      target: standIns.cluster.url,
      targetCaPem: standIns.cluster.caPem,
      tls: true,
      decide: (request) => {
        if (!cancelled || request.method !== 'DELETE') return PASS;
        return /\/pods\//.test(request.path) ? { kind: 'delay', ms: 20_000 } : { kind: 'status', code: 503, retryAfterSeconds: 10 };
      },
    });
    proxies.push(proxy);
    const kubeconfig = buildKubeconfig({ server: proxy.url, caPem: proxy.caPem!, token: standIns.cluster.adminToken, userName: 'builder' });
    // The blob is named after the run (contextRetentionInDays 0), so the cleanup deletes it too.
    const timed = await cancelAt(/^step 3 of 30$/, {
      inputs: { contextRetentionInDays: '0' },
      clusterEndpoint: kubeconfigEndpoint(standIns, { kubeconfig }),
      onLine: (line) => {
        if (line === 'step 3 of 30') cancelled = true;
      },
    });

    assertEndedBeforeSigterm(timed);
    const warnings = timed.build.run.issues.filter((issue) => issue.type === 'warning').map((issue) => issue.message).join('\n');
    assert.match(warnings, /Could not delete pod [^:]+: timed out after 6 s/);
    assert.match(warnings, /Could not delete Secret [^:]+-registry: timed out after 6 s/);
    assert.ok(timed.build.run.log.some((line) => /^The request to delete Secret .+ failed: HTTP 503 .+ Retrying in 10\.0 s/.test(line)),
      timed.build.run.log.join('\n'));
    assert.ok(deletedLines(timed.build).some((line) => line.startsWith('Deleted blob ')), 'the blob, which storage deleted at once, was not reported');

    // The post-job step, with a working connection, deletes what the slow server kept.
    const post = await runBuild({
      files: LONG_BUILD, namespace: timed.build.namespace, container: timed.build.container, stage: 'post', taskVariables: timed.build.run.taskVariables,
      inputs: { contextRetentionInDays: '0' },
    });
    assert.equal(deletedLines(post).length, 3, post.run.log.join('\n'));
    await waitForEmpty(timed.build);
  });
});

/** Waits until a pod that still ran has finished its grace period, then checks that nothing is left. */
async function waitForEmpty(build: BuildRun): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (build.standIns.cluster.listObjects('pods', build.namespace).length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await assertNothingLeft(build);
}
