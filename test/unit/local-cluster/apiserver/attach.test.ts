import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { Attach, CoreV1Api, KubeConfig, type V1Container, type V1Pod } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { parseAttachOptions } from '../../../../tools/local-cluster/apiserver/handlers/attach';
import { LocalCluster } from '../../../../tools/local-cluster/index';
import { dockerConfigSecret, makeContextArchive } from '../kubelet/helpers';
import { failure, kubeConfigFor, waitFor } from './helpers';

const NAMESPACE = 'builds';
const REGISTRY = 'registry.stand-in.test';
const KANIKO_IMAGE = 'ghcr.io/osscontainertools/kaniko:v1.28.3';

interface StatusBody {
  metadata?: object;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: { message?: string }[] };
}

/** What a raw upgrade request got: the open socket and its subprotocol, or the HTTP response that refused it. */
type UpgradeOutcome =
  | { kind: 'open'; socket: WebSocket; protocol: string }
  | { kind: 'refused'; status: number; contentType: string; body: string };

describe('local API server: pods/attach', function () {
  this.timeout(60_000);
  let cluster: LocalCluster;
  let config: KubeConfig;
  let core: CoreV1Api;
  let archive: Buffer;

  before(async () => {
    cluster = await LocalCluster.start({
      kubelet: {
        resolveBlobService: () => undefined,
        registryCredentials: { [REGISTRY]: { username: 'builder', password: 'registry-password' } },
        stepDelayMs: 2,
        retryDelayMs: 20,
      },
    });
    cluster.createNamespace(NAMESPACE);
    config = kubeConfigFor(cluster.kubeconfig({ namespace: NAMESPACE }));
    core = config.makeApiClient(CoreV1Api);
    await core.createNamespacedSecret({ namespace: NAMESPACE, body: dockerConfigSecret(NAMESPACE, 'registry', REGISTRY, 'builder', 'registry-password') });
    archive = await makeContextArchive({ Dockerfile: 'FROM alpine:3.20\nCOPY app.py /app/\n', 'app.py': 'print("hello")\n' });
  });

  after(async () => {
    await cluster?.stop();
  });

  function stdinPod(name: string, container: Partial<V1Container> = {}, spec: Partial<V1Pod['spec']> = {}): V1Pod {
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NAMESPACE },
      spec: {
        restartPolicy: 'Never',
        containers: [{
          name: 'kaniko',
          image: KANIKO_IMAGE,
          stdin: true,
          stdinOnce: true,
          args: ['--context=tar://stdin', `--destination=${REGISTRY}/team/app:1`, '--digest-file=/dev/termination-log', '--log-format=text'],
          volumeMounts: [{ name: 'docker-config', mountPath: '/kaniko/.docker', readOnly: true }],
          ...container,
        }],
        volumes: [{ name: 'docker-config', secret: { secretName: 'registry', items: [{ key: 'config.json', path: 'config.json' }] } }],
        ...spec,
      },
    };
  }

  async function createRunningPod(name: string, container: Partial<V1Container> = {}): Promise<void> {
    await core.createNamespacedPod({ namespace: NAMESPACE, body: stdinPod(name, container) });
    let pod: V1Pod | undefined;
    const deadline = Date.now() + 10_000;
    while (!pod?.status?.containerStatuses?.[0]?.state?.running) {
      if (Date.now() > deadline) throw new Error(`pod ${name} did not start: ${JSON.stringify(pod?.status)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
      pod = await core.readNamespacedPod({ namespace: NAMESPACE, name });
    }
  }

  async function waitForPhase(name: string, phase: string): Promise<V1Pod> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const pod = await core.readNamespacedPod({ namespace: NAMESPACE, name });
      if (pod.status?.phase === phase) return pod;
      if (Date.now() > deadline) throw new Error(`pod ${name} did not reach ${phase}: ${JSON.stringify(pod.status)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  function attachPath(pod: string, query: string): string {
    return `/api/v1/namespaces/${NAMESPACE}/pods/${pod}/attach?${query}`;
  }

  /** Attaches with client-node's Attach class, as the task does, streams `stdin`, and collects the Status messages until the socket closes. */
  async function attachWithClientNode(pod: string, stdin: Readable, kubeConfig = config): Promise<StatusBody[]> {
    const socket = await new Attach(kubeConfig).attach(NAMESPACE, pod, 'kaniko', null, null, stdin, false);
    assert.equal(socket.protocol, 'v5.channel.k8s.io');
    const statuses: StatusBody[] = [];
    socket.on('message', (data: Buffer) => {
      if (data[0] === 3 && data.length > 1) statuses.push(JSON.parse(data.subarray(1).toString('utf8')) as StatusBody);
    });
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    return statuses;
  }

  /** Sends an upgrade request with the `ws` client, offering `protocols`, with the admin token unless `token` replaces it. */
  function rawUpgrade(path: string, protocols: string[], options: { token?: string | null } = {}): Promise<UpgradeOutcome> {
    const token = options.token === undefined ? cluster.adminToken : options.token;
    const url = `${cluster.url.replace(/^https/, 'wss')}${path}`;
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, protocols, {
        ca: cluster.caPem,
        headers: token === null ? {} : { Authorization: `Bearer ${token}` },
      });
      socket.once('open', () => resolve({ kind: 'open', socket, protocol: socket.protocol }));
      socket.once('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        response.on('end', () => resolve({
          kind: 'refused', status: response.statusCode ?? 0, contentType: response.headers['content-type'] ?? '', body,
        }));
      });
      socket.once('error', (error) => reject(error));
    });
  }

  /** Collects the messages of an open socket by channel until it closes. */
  function collectMessages(socket: WebSocket): Promise<Array<{ channel: number; data: Buffer }>> {
    const messages: Array<{ channel: number; data: Buffer }> = [];
    socket.on('message', (data: Buffer) => messages.push({ channel: data[0], data: data.subarray(1) }));
    return new Promise((resolve) => socket.once('close', () => resolve(messages)));
  }

  function userConfig(name: string, verbs: string[]): KubeConfig {
    const token = cluster.addUser(name, [{ verbs, resources: ['pods/attach'], namespaces: [NAMESPACE] }]);
    return kubeConfigFor(cluster.kubeconfig({ namespace: NAMESPACE, token }));
  }

  it('reads query booleans as the API server converts them', () => {
    const options = parseAttachOptions(new URLSearchParams('container=kaniko&stdin=true&stdout=0&stderr=FALSE&tty='));
    assert.deepEqual(options, { container: 'kaniko', stdin: true, stdout: false, stderr: false, tty: true });
    assert.deepEqual(parseAttachOptions(new URLSearchParams('stdin=1&stdout=yes')), {
      container: '', stdin: true, stdout: true, stderr: false, tty: false,
    });
  });

  it('rejects a stdinOnce that is no boolean', async () => {
    const pod = stdinPod('typed') as unknown as { spec: { containers: { stdinOnce: unknown }[] } };
    pod.spec.containers[0].stdinOnce = 'yes';
    const { code, status } = await failure(core.createNamespacedPod({ namespace: NAMESPACE, body: pod as V1Pod }));
    assert.equal(code, 400);
    assert.equal(
      status.message,
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field Container.spec.containers.stdinOnce of type bool',
    );
  });

  it('lists pods/attach in discovery', async () => {
    const resources = await core.getAPIResources();
    const attach = resources.resources.find((resource) => resource.name === 'pods/attach');
    assert.deepEqual(attach?.verbs, ['create', 'get']);
    assert.equal(attach?.kind, 'PodAttachOptions');
  });

  it('builds from an archive streamed into stdin', async () => {
    await createRunningPod('direct-ok');
    const statuses = await attachWithClientNode('direct-ok', Readable.from([archive.subarray(0, 40), archive.subarray(40)]));
    assert.deepEqual(statuses, [{ metadata: {}, status: 'Success' }]);
    const pod = await waitForPhase('direct-ok', 'Succeeded');
    assert.match(pod.status?.containerStatuses?.[0]?.state?.terminated?.message ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(cluster.runs.find((run) => run.name === 'direct-ok')?.contextFiles, ['Dockerfile', 'app.py']);
    const log = await core.readNamespacedPodLog({ namespace: NAMESPACE, name: 'direct-ok' });
    assert.match(log, /level=info msg="To simulate EOF and exit, press 'Ctrl\+D'"/);
  });

  it('builds over v4.channel.k8s.io, where closing the socket ends stdin', async () => {
    await createRunningPod('direct-v4');
    const outcome = await rawUpgrade(attachPath('direct-v4', 'container=kaniko&stdin=true'), ['v4.channel.k8s.io']);
    assert.equal(outcome.kind, 'open');
    if (outcome.kind !== 'open') return;
    assert.equal(outcome.protocol, 'v4.channel.k8s.io');
    const messages = collectMessages(outcome.socket);
    outcome.socket.send(Buffer.concat([Buffer.from([0]), archive]));
    outcome.socket.close();
    const received = await messages;
    assert.deepEqual(received[0], { channel: 3, data: Buffer.alloc(0) }, 'the kubelet announces the streams with an empty error-channel message');
    await waitForPhase('direct-v4', 'Succeeded');
  });

  it('fails kaniko when the stream is not gzip', async () => {
    await createRunningPod('direct-not-gzip');
    const statuses = await attachWithClientNode('direct-not-gzip', Readable.from([Buffer.from('PK\u0003\u0004 this is a zip file')]));
    assert.deepEqual(statuses, [{ metadata: {}, status: 'Success' }]);
    const pod = await waitForPhase('direct-not-gzip', 'Failed');
    assert.equal(pod.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 1);
    const log = await core.readNamespacedPodLog({ namespace: NAMESPACE, name: 'direct-not-gzip' });
    assert.match(log, /^Error: error resolving source context: gzip: invalid header$/m);
  });

  it('fails kaniko when the stream ends early', async () => {
    await createRunningPod('direct-truncated');
    await attachWithClientNode('direct-truncated', Readable.from([archive.subarray(0, archive.length - 30)]));
    await waitForPhase('direct-truncated', 'Failed');
    const log = await core.readNamespacedPodLog({ namespace: NAMESPACE, name: 'direct-truncated' });
    assert.match(log, /^Error: error resolving source context: unexpected EOF$/m);
  });

  it('fails kaniko on tar://stdin without stdin: true', async () => {
    await core.createNamespacedPod({ namespace: NAMESPACE, body: stdinPod('no-stdin', { stdin: false, stdinOnce: false }) });
    await waitForPhase('no-stdin', 'Failed');
    const log = await core.readNamespacedPodLog({ namespace: NAMESPACE, name: 'no-stdin' });
    assert.match(log, /^Error: error resolving source context: no data found\.\. don't forget to add the '--interactive, -i' flag$/m);
  });

  it('drops stdin for a container without stdin: true', async () => {
    // A curl container keeps running while the server delays its response.
    let release = (): void => undefined;
    const server = createServer((_request, response) => {
      release = () => response.end('done');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await createRunningPod('curl-no-stdin', { image: 'curlimages/curl:8.16.0', stdin: false, stdinOnce: false, args: ['-sS', `http://127.0.0.1:${port}/`] });
      const statuses = await attachWithClientNode('curl-no-stdin', Readable.from([archive]));
      assert.deepEqual(statuses, [{ metadata: {}, status: 'Success' }], 'the attach ends at once with nothing to copy');
      const pod = await core.readNamespacedPod({ namespace: NAMESPACE, name: 'curl-no-stdin' });
      assert.ok(pod.status?.containerStatuses?.[0]?.state?.running, 'the container still runs');
      release();
      await waitForPhase('curl-no-stdin', 'Succeeded');
      const log = await core.readNamespacedPodLog({ namespace: NAMESPACE, name: 'curl-no-stdin' });
      assert.equal(log, 'done\n');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('reports a stopped container in a Status', async () => {
    await core.createNamespacedPod({ namespace: NAMESPACE, body: stdinPod('not-running', { image: 'ghcr.io/osscontainertools/kaniko:v0.0.1' }) });
    await waitFor(() => cluster.listObjects('pods', NAMESPACE).some((pod) => pod.metadata.name === 'not-running' && (pod.spec as V1Pod['spec'])?.nodeName), 'the pod to be bound');
    const statuses = await attachWithClientNode('not-running', Readable.from([archive]));
    const message = 'unable to upgrade connection: container kaniko not found in pod not-running_builds';
    assert.deepEqual(statuses, [{
      metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError', details: { causes: [{ message }] }, code: 500,
    }]);

    const outcome = await rawUpgrade(attachPath('not-running', 'container=kaniko&stdin=true'), ['v4.channel.k8s.io']);
    assert.deepEqual(outcome, {
      kind: 'refused', status: 500, contentType: 'text/plain; charset=utf-8', body: 'container kaniko not found in pod not-running_builds',
    });
  });

  it('rejects a WebSocket GET without create on pods/attach', async () => {
    await createRunningPod('rbac');
    const token = cluster.addUser('reader', [{ verbs: ['get'], resources: ['pods/attach'], namespaces: [NAMESPACE] }]);
    const outcome = await rawUpgrade(attachPath('rbac', 'container=kaniko&stdin=true'), ['v5.channel.k8s.io'], { token });
    assert.equal(outcome.kind, 'refused');
    if (outcome.kind !== 'refused') return;
    assert.equal(outcome.status, 403);
    const status = JSON.parse(outcome.body) as StatusBody;
    assert.equal(status.reason, 'Forbidden');
    assert.equal(status.message, 'pods "rbac" is forbidden: User "reader" cannot create resource "pods/attach" in API group "" in the namespace "builds"');
  });

  it('rejects a WebSocket GET without get on pods/attach', async () => {
    const token = cluster.addUser('creator', [{ verbs: ['create'], resources: ['pods/attach'], namespaces: [NAMESPACE] }]);
    const outcome = await rawUpgrade(attachPath('rbac', 'container=kaniko&stdin=true'), ['v5.channel.k8s.io'], { token });
    assert.equal(outcome.kind, 'refused');
    if (outcome.kind !== 'refused') return;
    assert.equal(outcome.status, 403);
    assert.match(outcome.body, /cannot get resource \\"pods\/attach\\"/);
  });

  it('accepts get and create on pods/attach', async () => {
    await createRunningPod('rbac-ok');
    const statuses = await attachWithClientNode('rbac-ok', Readable.from([archive]), userConfig('attacher', ['get', 'create']));
    assert.deepEqual(statuses, [{ metadata: {}, status: 'Success' }]);
    await waitForPhase('rbac-ok', 'Succeeded');
  });

  it('rejects a request without a token', async () => {
    const outcome = await rawUpgrade(attachPath('rbac', 'container=kaniko&stdin=true'), ['v5.channel.k8s.io'], { token: null });
    assert.equal(outcome.kind, 'refused');
    if (outcome.kind === 'refused') assert.equal(outcome.status, 401);
  });

  it('accepts a bearer token in the subprotocol list', async () => {
    await createRunningPod('token-protocol');
    const encoded = Buffer.from(cluster.adminToken).toString('base64url');
    const protocols = ['v4.channel.k8s.io', `base64url.bearer.authorization.k8s.io.${encoded}`];
    const outcome = await rawUpgrade(attachPath('token-protocol', 'container=kaniko&stdin=true'), protocols, { token: null });
    assert.equal(outcome.kind, 'open');
    if (outcome.kind !== 'open') return;
    assert.equal(outcome.protocol, 'v4.channel.k8s.io');
    outcome.socket.send(Buffer.concat([Buffer.from([0]), archive]));
    outcome.socket.close();
    await waitForPhase('token-protocol', 'Succeeded');
  });

  it('answers 404 for a missing pod and 400 for an unknown container', async () => {
    const missing = await rawUpgrade(attachPath('missing', 'container=kaniko&stdin=true'), ['v5.channel.k8s.io']);
    assert.equal(missing.kind === 'refused' && missing.status, 404);
    assert.equal(missing.kind === 'refused' && (JSON.parse(missing.body) as StatusBody).message, 'pods "missing" not found');

    const unknown = await rawUpgrade(attachPath('rbac', 'container=sidecar&stdin=true'), ['v5.channel.k8s.io']);
    assert.equal(unknown.kind === 'refused' && unknown.status, 400);
    assert.equal(unknown.kind === 'refused' && (JSON.parse(unknown.body) as StatusBody).message, 'container sidecar is not valid for pod rbac');
  });

  it('answers 400 while the pod has no node', async () => {
    await core.createNamespacedPod({ namespace: NAMESPACE, body: stdinPod('unscheduled', {}, { nodeSelector: { pool: 'gpu' } }) });
    const outcome = await rawUpgrade(attachPath('unscheduled', 'stdin=true'), ['v5.channel.k8s.io']);
    assert.equal(outcome.kind === 'refused' && outcome.status, 400);
    assert.equal(outcome.kind === 'refused' && (JSON.parse(outcome.body) as StatusBody).message, 'pod unscheduled does not have a host assigned');
  });

  it('answers 400 to a request without an upgrade', async () => {
    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpsRequest(`${cluster.url}${attachPath('rbac', 'container=kaniko&stdin=true')}`, {
        method: 'POST', ca: cluster.caPem, headers: { Authorization: `Bearer ${cluster.adminToken}` },
      }, (answer) => {
        let body = '';
        answer.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 0, body }));
      });
      request.on('error', reject);
      request.end();
    });
    assert.equal(response.status, 400);
    assert.equal((JSON.parse(response.body) as StatusBody).message, 'Upgrade request required');
  });

  it('answers 400 to a kubelet request without streams', async () => {
    await createRunningPod('no-streams');
    const outcome = await rawUpgrade(attachPath('no-streams', 'container=kaniko'), ['v4.channel.k8s.io']);
    assert.deepEqual(outcome, {
      kind: 'refused', status: 400, contentType: 'text/plain; charset=utf-8', body: 'you must specify at least 1 of stdin, stdout, stderr',
    });
  });

  it('sends the container output on stderr', async () => {
    await createRunningPod('output');
    const outcome = await rawUpgrade(attachPath('output', 'container=kaniko&stdin=true&stderr=true&tty=false'), ['v5.channel.k8s.io']);
    assert.equal(outcome.kind, 'open');
    if (outcome.kind !== 'open') return;
    const messages = collectMessages(outcome.socket);
    outcome.socket.send(Buffer.concat([Buffer.from([0]), archive]));
    outcome.socket.send(Buffer.from([255, 0]));
    const received = await messages;
    assert.deepEqual(received[0], { channel: 2, data: Buffer.alloc(0) }, 'the translator announces the streams on stderr');
    const stderr = received.filter((message) => message.channel === 2).map((message) => message.data.toString('utf8')).join('');
    assert.match(stderr, /msg="Pushed /);
    const last = received[received.length - 1];
    assert.equal(last.channel, 3);
    assert.deepEqual(JSON.parse(last.data.toString('utf8')), { metadata: {}, status: 'Success' });
  });
});
