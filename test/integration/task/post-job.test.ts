// The post-job step: after a build step that was killed before its cleanup, it finds the pod,
// Secrets and blob by the job's label and metadata and deletes them. After a clean build it has
// nothing to do, and it never touches the objects of another job in the same namespace.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { buildKubeconfig } from '../../../tools/local-cluster/apiserver/kubeconfig';
import { sharedStandIns } from '../stand-ins';
import { assertNothingLeft, kubeconfigEndpoint, listBlobs, runBuild, type BuildRun, type BuildScenario } from './harness';
import { killingLauncher } from './kill-launcher';

const STEPS = Array.from({ length: 30 }, (_, step) => `RUN echo step ${step + 1} of 30\n`).join('');
/** A build long enough to be killed in the middle of its log. */
const LONG_BUILD = { Dockerfile: `FROM alpine:3.20\n${STEPS}` };
const OTHER_JOB_ID = '2c6d8e0f-4a1b-4c3d-9e5f-7a8b9c0d1e2f';
const CLEANUP_DONE = 'KANIKO_BUILD_CLEANUP_DONE';

interface Objects {
  pods: string[];
  podUids: string[];
  secrets: string[];
  /** The uid that each Secret's owner reference names, in the order of `secrets`. */
  owners: string[];
  blobs: string[];
}

async function objectsOf(build: BuildRun): Promise<Objects> {
  const { cluster } = build.standIns;
  const pods = cluster.listObjects('pods', build.namespace);
  const secrets = cluster.listObjects('secrets', build.namespace);
  const owners = secrets.map((secret) => {
    const references = (secret.metadata.ownerReferences ?? []) as { kind: string; uid: string }[];
    return references.map((reference) => `${reference.kind}:${reference.uid}`).join(',');
  });
  return {
    pods: pods.map((pod) => pod.metadata.name),
    podUids: pods.map((pod) => `Pod:${pod.metadata.uid}`),
    secrets: secrets.map((secret) => secret.metadata.name),
    owners,
    blobs: (await listBlobs(build)).sort(),
  };
}

/** Waits until the build's namespace and container are empty; a pod that still ran takes its grace period to go. */
async function waitForNothingLeft(build: BuildRun): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const left = await objectsOf(build);
    if (left.pods.length + left.secrets.length + left.blobs.length === 0 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await assertNothingLeft(build);
}

/** Returns a kubeconfig for a server on a port of 127.0.0.1 that nothing listens on (port 9, discard). */
function unreachableKubeconfig(): string {
  return buildKubeconfig({ server: 'https://127.0.0.1:9', caPem: '', token: 'unused-token', userName: 'builder', insecure: true });
}

/** Returns the `Deleted ...` lines of a step's log. */
function deletedLines(build: BuildRun): string[] {
  return build.run.log.filter((line) => line.startsWith('Deleted '));
}

function warnings(build: BuildRun): string[] {
  return build.run.issues.filter((issue) => issue.type === 'warning').map((issue) => issue.message);
}

describe('KanikoBuild post-job step', function () {
  this.timeout(180_000);
  let folder: string;

  before(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'post-job-'));
  });

  after(() => {
    fs.rmSync(folder, { recursive: true, force: true });
  });

  /**
   * Runs a build whose process is killed with SIGKILL while the kaniko log streams. Its blob is
   * named after the run and not kept (contextRetentionInDays 0), so the post-job step has it to delete.
   */
  function killedBuild(scenario: BuildScenario = {}): Promise<BuildRun> {
    return runBuild({
      files: LONG_BUILD, nodePath: killingLauncher(folder), cancel: { whenLine: /^step 3 of 30$/ }, ...scenario,
      inputs: { contextRetentionInDays: '0', ...scenario.inputs },
    });
  }

  /** Runs the post-job step with the inputs of `build`, in its namespace and container. */
  function postStep(build: BuildRun, scenario: BuildScenario = {}): Promise<BuildRun> {
    return runBuild({
      files: LONG_BUILD, namespace: build.namespace, container: build.container, stage: 'post', taskVariables: build.run.taskVariables, ...scenario,
      inputs: { contextRetentionInDays: '0', ...scenario.inputs },
    });
  }

  describe('after a killed build step', () => {
    let killed: BuildRun;
    let leftBehind: Objects;
    let post: BuildRun;

    before(async () => {
      killed = await killedBuild();
      leftBehind = await objectsOf(killed);
      post = await postStep(killed);
    });

    it('the build step was killed', () => {
      assert.equal(killed.run.signalsSent[0], 'SIGINT');
      assert.equal(killed.run.exitCode, 137, killed.run.log.join('\n'));
      assert.deepEqual(deletedLines(killed), []);
      assert.deepEqual(killed.run.taskVariables[CLEANUP_DONE], { value: 'false', isSecret: false });
    });

    it('left its pod, Secrets and blob', () => {
      assert.equal(leftBehind.pods.length, 1, JSON.stringify(leftBehind));
      assert.deepEqual(leftBehind.secrets, [`${leftBehind.pods[0]}-registry`, `${leftBehind.pods[0]}-storage`]);
      assert.deepEqual(leftBehind.blobs, [`${leftBehind.pods[0]}.tar.gz`]);
    });

    it('the pod owns the Secrets it left', () => {
      assert.deepEqual(leftBehind.owners, [leftBehind.podUids[0], leftBehind.podUids[0]]);
    });

    it('the post-job step deletes all of them', async () => {
      assert.equal(post.run.result, 'Succeeded', post.run.log.join('\n'));
      assert.ok(['Node20_1', 'Node24'].includes(post.run.handler), post.run.handler);
      assert.ok(post.run.log.some((line) => /^Deleting 4 object\(s\) that a stopped build step of job [0-9a-f-]+ left behind\.$/.test(line)),
        post.run.log.join('\n'));
      const pod = leftBehind.pods[0];
      assert.deepEqual(deletedLines(post).sort(), [
        `Deleted Secret ${killed.namespace}/${pod}-registry.`,
        `Deleted Secret ${killed.namespace}/${pod}-storage.`,
        `Deleted blob ${killed.container}/${pod}.tar.gz in storage account devstoreaccount1.`,
        `Deleted pod ${killed.namespace}/${pod}.`,
      ]);
      assert.deepEqual(warnings(post), []);
      await waitForNothingLeft(killed);
    });
  });

  describe('after a clean build step', () => {
    let clean: BuildRun;
    let post: BuildRun;

    before(async () => {
      clean = await runBuild({ files: LONG_BUILD });
      post = await postStep(clean);
    });

    it('the build step records that its cleanup is done', () => {
      assert.equal(clean.run.result, 'Succeeded');
      assert.deepEqual(clean.run.taskVariables[CLEANUP_DONE], { value: 'true', isSecret: false });
    });

    it('the post-job step has nothing to do', async () => {
      assert.equal(post.run.result, 'Succeeded');
      assert.ok(post.run.log.includes('The build step deleted everything it created, so the post-job step has nothing to clean up.'),
        post.run.log.join('\n'));
      assert.deepEqual(deletedLines(post), []);
      assert.deepEqual(warnings(post), []);
      await assertNothingLeft(clean);
    });
  });

  describe('with another job in the same namespace', () => {
    let other: BuildRun;
    let otherLeft: Objects;
    let mine: BuildRun;
    let minePost: BuildRun;
    let otherPost: BuildRun;

    before(async () => {
      other = await killedBuild({ variables: { 'System.JobId': OTHER_JOB_ID } });
      otherLeft = await objectsOf(other);
      mine = await runBuild({ files: LONG_BUILD, namespace: other.namespace, container: other.container });
      // Without the build step's task variable, the post-job step lists the namespace and the container.
      minePost = await postStep(mine, { taskVariables: {} });
      otherPost = await postStep(other, { variables: { 'System.JobId': OTHER_JOB_ID } });
    });

    it('my post-job step finds nothing of mine', () => {
      assert.equal(mine.run.result, 'Succeeded');
      assert.equal(minePost.run.result, 'Succeeded');
      assert.ok(minePost.run.log.some((line) => /^Nothing was left behind by job [0-9a-f-]+: no pod/.test(line)), minePost.run.log.join('\n'));
      assert.deepEqual(deletedLines(minePost), []);
    });

    it("the other job's objects stayed until its own post-job step", () => {
      assert.equal(otherLeft.pods.length, 1, JSON.stringify(otherLeft));
      assert.equal(otherLeft.secrets.length, 2);
      assert.equal(otherLeft.blobs.length, 1);
      assert.equal(deletedLines(otherPost).length, 4, otherPost.run.log.join('\n'));
    });

    it('leaves nothing behind in the end', async () => {
      await waitForNothingLeft(other);
    });
  });

  it('a build step that failed before creating anything needs no cleanup', async () => {
    const failed = await runBuild({ files: LONG_BUILD, clusterEndpoint: kubeconfigEndpoint(await sharedStandIns(), { kubeconfig: unreachableKubeconfig() }) });
    const post = await postStep(failed);

    assert.equal(failed.run.result, 'Failed');
    assert.deepEqual(failed.run.taskVariables[CLEANUP_DONE], { value: 'true', isSecret: false });
    assert.ok(post.run.log.includes('The build step deleted everything it created, so the post-job step has nothing to clean up.'),
      post.run.log.join('\n'));
  });

  it('a namespace with the job label is deleted', async () => {
    const jobId = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';
    const { cluster } = await sharedStandIns();
    const config = new KubeConfig();
    config.loadFromString(cluster.kubeconfig());
    const core = config.makeApiClient(CoreV1Api);
    const labelled = `per-build-${jobId.slice(0, 8)}`;
    await core.createNamespace({ body: { metadata: { name: labelled, labels: { 'kaniko-build-on-aks/job-id': jobId } } } });
    await core.createNamespacedSecret({ namespace: labelled, body: { metadata: { name: 'left-behind' } } });

    const post = await runBuild({ files: LONG_BUILD, stage: 'post', variables: { 'System.JobId': jobId } });

    assert.deepEqual(deletedLines(post), [`Deleted namespace ${labelled}.`], post.run.log.join('\n'));
    const deadline = Date.now() + 5_000;
    while (cluster.listObjects('namespaces').some((namespace) => namespace.metadata.name === labelled) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(!cluster.listObjects('namespaces').some((namespace) => namespace.metadata.name === labelled), 'the namespace is still there');
  });

  it('namespaces it cannot list warn with createNamespace', async () => {
    const standIns = await sharedStandIns();
    const token = standIns.cluster.addUser('post-no-namespaces', [
      { verbs: ['get', 'list', 'delete'], resources: ['pods', 'secrets'] },
    ]);
    const clusterEndpoint = kubeconfigEndpoint(standIns, { kubeconfig: standIns.cluster.kubeconfig({ token }) });
    const withNamespaces = await runBuild({
      files: LONG_BUILD, stage: 'post', clusterEndpoint, inputs: { createNamespace: 'true', namespace: 'kaniko' },
      variables: { 'System.JobId': '6f7a8b9c-0d1e-4f2a-8b3c-4d5e6f7a8b9c' },
    });
    const inOneNamespace = await runBuild({
      files: LONG_BUILD, stage: 'post', clusterEndpoint, variables: { 'System.JobId': '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d' },
    });

    assert.equal(withNamespaces.run.result, 'Succeeded');
    assert.equal(warnings(withNamespaces).length, 1, warnings(withNamespaces).join('\n'));
    assert.match(warnings(withNamespaces)[0], /^Could not look for namespaces left behind by job 6f7a8b9c-.*HTTP 403 Forbidden/);
    assert.deepEqual(warnings(inOneNamespace), []);
  });

  it('invalid inputs skip the cleanup quietly', async () => {
    const post = await runBuild({ files: LONG_BUILD, stage: 'post', inputs: { tags: 'not a tag!' } });

    assert.equal(post.run.result, 'Succeeded');
    assert.deepEqual(warnings(post), []);
    const cleanupLines = post.run.log.filter((line) => /^(Deleting |Deleted |Nothing was left|The build step deleted)/.test(line));
    assert.deepEqual(cleanupLines, [], post.run.log.join('\n'));
  });

  it('the garbage collector deletes the Secrets with their pod', async () => {
    const killed = await killedBuild();
    const left = await objectsOf(killed);
    assert.equal(left.secrets.length, 2, JSON.stringify(left));
    const config = new KubeConfig();
    config.loadFromString(killed.standIns.cluster.kubeconfig());
    await config.makeApiClient(CoreV1Api).deleteNamespacedPod({ namespace: killed.namespace, name: left.pods[0], gracePeriodSeconds: 0 });

    const deadline = Date.now() + 10_000;
    while ((await objectsOf(killed)).secrets.length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const after = await objectsOf(killed);
    assert.deepEqual(after.secrets, [], 'the owned Secrets outlived their pod');
    assert.deepEqual(after.blobs, left.blobs, 'the blob has no owner in the cluster and stays for the post-job step');

    const post = await postStep(killed);
    assert.deepEqual(deletedLines(post), [`Deleted blob ${killed.container}/${left.pods[0]}.tar.gz in storage account devstoreaccount1.`]);
    await waitForNothingLeft(killed);
  });
});
