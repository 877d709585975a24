import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ApiException, Log, type LogOptions, type V1ContainerStatus, type V1PodStatus } from '@kubernetes/client-node';
import { failure, simplePod, startTestServer, type TestServer, waitFor } from './helpers';

const NAMESPACE = 'logs';
const NODE = 'local-node-1';

function containerStatus(name: string, state: V1ContainerStatus['state']): V1ContainerStatus {
  return { name, image: 'x', imageID: '', ready: Boolean(state?.running), restartCount: 0, state, containerID: `containerd://${name}` };
}

function waiting(name: string, reason: string): V1PodStatus {
  return { phase: 'Pending', containerStatuses: [containerStatus(name, { waiting: { reason } })] };
}

function running(name: string): V1PodStatus {
  return { phase: 'Running', containerStatuses: [containerStatus(name, { running: { startedAt: new Date() } })] };
}

/** Streams a log through client-node's Log class and collects the text until the stream ends. */
async function followLog(test: TestServer, pod: string, options: LogOptions = {}) {
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const ended = new Promise<void>((resolve) => output.on('end', () => resolve()));
  await new Log(test.config).log(NAMESPACE, pod, 'kaniko', output, options);
  return { text: () => text, ended };
}

describe('local API server: pod logs', () => {
  let test: TestServer;

  before(async () => {
    test = await startTestServer();
    test.server.createNamespace(NAMESPACE);
  });

  after(async () => {
    await test.server.stop();
  });

  async function createPod(name: string): Promise<void> {
    await test.core.createNamespacedPod({ namespace: NAMESPACE, body: simplePod(name) });
  }

  it('is empty while the pod has no node', async () => {
    await createPod('unscheduled');
    const text = await test.core.readNamespacedPodLog({ namespace: NAMESPACE, name: 'unscheduled' });
    assert.equal(text, '');
  });

  it('answers 400 while the container waits, then streams until the log ends', async () => {
    await createPod('build');
    test.server.state.updatePodStatus(NAMESPACE, 'build', waiting('kaniko', 'ContainerCreating'), NODE);
    const { code, status } = await failure(test.core.readNamespacedPodLog({ namespace: NAMESPACE, name: 'build', container: 'kaniko' }));
    assert.equal(code, 400);
    assert.equal(status.reason, 'BadRequest');
    assert.equal(status.message, 'container "kaniko" in pod "build" is waiting to start: ContainerCreating');
    await assert.rejects(followLog(test, 'build', { follow: true }), (error: unknown) => error instanceof ApiException && error.code === 400);

    test.server.state.updatePodStatus(NAMESPACE, 'build', running('kaniko'));
    test.server.state.appendLog(NAMESPACE, 'build', 'kaniko', 'INFO[0000] Retrieving image manifest');
    const stream = await followLog(test, 'build', { follow: true });
    await waitFor(() => stream.text().includes('manifest'), 'the first line');
    test.server.state.appendLog(NAMESPACE, 'build', 'kaniko', 'INFO[0001] Pushed image');
    await waitFor(() => stream.text().includes('Pushed'), 'the second line');
    test.server.state.endLog(NAMESPACE, 'build', 'kaniko');
    await stream.ended;
    assert.equal(stream.text(), 'INFO[0000] Retrieving image manifest\nINFO[0001] Pushed image\n');
  });

  it('names the waiting reason of an image that cannot be pulled', async () => {
    await createPod('pull');
    test.server.state.updatePodStatus(NAMESPACE, 'pull', waiting('kaniko', 'ImagePullBackOff'), NODE);
    const { status } = await failure(test.core.readNamespacedPodLog({ namespace: NAMESPACE, name: 'pull' }));
    assert.equal(status.message, 'container "kaniko" in pod "pull" is waiting to start: trying and failing to pull image');
  });

  it('ends a followed log when the pod is removed', async () => {
    await createPod('removed');
    test.server.state.updatePodStatus(NAMESPACE, 'removed', running('kaniko'), NODE);
    const stream = await followLog(test, 'removed', { follow: true });
    test.server.state.finalizePodDeletion(NAMESPACE, 'removed');
    await stream.ended;
    assert.equal(stream.text(), '');
  });

  it('prefixes RFC 3339 times with nanoseconds for timestamps=true', async () => {
    await createPod('stamped');
    test.server.state.updatePodStatus(NAMESPACE, 'stamped', running('kaniko'), NODE);
    test.server.state.appendLog(NAMESPACE, 'stamped', 'kaniko', 'one');
    test.server.state.appendLog(NAMESPACE, 'stamped', 'kaniko', 'two');
    const text = await test.core.readNamespacedPodLog({ namespace: NAMESPACE, name: 'stamped', timestamps: true });
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    for (const line of lines) assert.match(line, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z (one|two)$/);
    assert.ok(lines[0].slice(0, 30) < lines[1].slice(0, 30), 'times increase');
  });

  it('filters by sinceTime to the whole second and by tailLines', async () => {
    await createPod('resume');
    test.server.state.updatePodStatus(NAMESPACE, 'resume', running('kaniko'), NODE);
    test.server.state.appendLog(NAMESPACE, 'resume', 'kaniko', 'early');
    const secondOfEarly = Math.floor(Date.now() / 1000);
    await waitFor(() => Math.floor(Date.now() / 1000) > secondOfEarly, 'the next second', 1500);
    test.server.state.appendLog(NAMESPACE, 'resume', 'kaniko', 'late-1');
    test.server.state.appendLog(NAMESPACE, 'resume', 'kaniko', 'late-2');
    const stamped = await test.core.readNamespacedPodLog({ namespace: NAMESPACE, name: 'resume', timestamps: true });
    const lateTime = stamped.split('\n')[1].split(' ')[0];
    // CoreV1Api has no sinceTime parameter; client-node's Log class sends it.
    const since = await followLog(test, 'resume', { sinceTime: lateTime });
    await since.ended;
    assert.equal(since.text(), 'late-1\nlate-2\n');
    const tail = await test.core.readNamespacedPodLog({ namespace: NAMESPACE, name: 'resume', tailLines: 1 });
    assert.equal(tail, 'late-2\n');
    const limited = await test.core.readNamespacedPodLog({ namespace: NAMESPACE, name: 'resume', limitBytes: 3 });
    assert.equal(limited, 'ear');
  });

  it('answers 422 for negative tailLines', async () => {
    const { code, status } = await failure(test.core.readNamespacedPodLog({ namespace: NAMESPACE, name: 'resume', tailLines: -1 }));
    assert.equal(code, 422);
    assert.equal(status.message, 'PodLogOptions "resume" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0');
  });

  it('asks for a container name when the pod has several', async () => {
    const pod = simplePod('sidecar');
    pod.spec!.containers.push({ name: 'helper', image: 'busybox:1.36' });
    await test.core.createNamespacedPod({ namespace: NAMESPACE, body: pod });
    const { code, status } = await failure(test.core.readNamespacedPodLog({ namespace: NAMESPACE, name: 'sidecar' }));
    assert.equal(code, 400);
    assert.equal(status.message, 'a container name must be specified for pod sidecar, choose one of: [kaniko helper]');
  });

  // The API server rejects an unknown container name with 400, not 404.
  it('answers 400 for an unknown container', async () => {
    const { code, status } = await failure(test.core.readNamespacedPodLog({ namespace: NAMESPACE, name: 'sidecar', container: 'nope' }));
    assert.equal(code, 400);
    assert.equal(status.message, 'container nope is not valid for pod sidecar');
  });

  it('answers 404 for a missing pod', async () => {
    const { code, status } = await failure(test.core.readNamespacedPodLog({ namespace: NAMESPACE, name: 'ghost' }));
    assert.equal(code, 404);
    assert.equal(status.message, 'pods "ghost" not found');
  });

  it('reads the log of a terminated container', async () => {
    await createPod('done');
    test.server.state.updatePodStatus(NAMESPACE, 'done', running('kaniko'), NODE);
    test.server.state.appendLog(NAMESPACE, 'done', 'kaniko', 'built');
    test.server.state.endLog(NAMESPACE, 'done', 'kaniko');
    test.server.state.updatePodStatus(NAMESPACE, 'done', {
      phase: 'Succeeded',
      containerStatuses: [containerStatus('kaniko', { terminated: { exitCode: 0, reason: 'Completed', containerID: 'containerd://kaniko' } })],
    });
    const stream = await followLog(test, 'done', { follow: true });
    await stream.ended;
    assert.equal(stream.text(), 'built\n');
  });
});
