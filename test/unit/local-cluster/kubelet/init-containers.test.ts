import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { V1Container, V1Pod, V1PodStatus } from '@kubernetes/client-node';
import { Kubelet } from '../../../../tools/local-cluster/kubelet/index';
import { waitFor } from '../apiserver/helpers';
import { dockerConfigSecret, FakeClusterStore, makeContextArchive } from './helpers';

const NAMESPACE = 'builds';
const REGISTRY = 'myreg.azurecr.io';
const CURL_IMAGE = 'curlimages/curl:8.16.0';
const KANIKO_IMAGE = 'ghcr.io/osscontainertools/kaniko:v1.28.3';

describe('kubelet emulation: init containers', function () {
  this.timeout(30_000);
  let server: Server;
  let base: string;
  let archive: Buffer;
  /** Responses that the test completes later, by request path. */
  const delayedResponses = new Map<string, ServerResponse>();
  let store: FakeClusterStore;
  let kubelet: Kubelet;

  before(async () => {
    archive = await makeContextArchive({ Dockerfile: 'FROM alpine:3.20\nCOPY app.py /app/\n', 'app.py': 'print(1)\n' });
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      if (path === '/context.tar.gz') return void response.end(archive);
      if (path.startsWith('/held/')) return void delayedResponses.set(path, response);
      response.writeHead(403);
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => {
    (server as ReturnType<typeof createServer>).closeAllConnections();
    server.close();
  });

  beforeEach(() => {
    store = new FakeClusterStore();
    store.addSecret(dockerConfigSecret(NAMESPACE, 'registry', REGISTRY, 'builder', 'secret'));
    store.addSecret({ metadata: { namespace: NAMESPACE, name: 'context' }, stringData: { CONTEXT_URL: `${base}/context.tar.gz` } });
    kubelet = new Kubelet(store, {
      resolveBlobService: () => undefined,
      registryCredentials: { [REGISTRY]: { username: 'builder', password: 'secret' } },
      stepDelayMs: 2,
      retryDelayMs: 20,
    });
  });

  afterEach(async () => {
    await kubelet.stop();
    for (const response of delayedResponses.values()) response.destroy();
    delayedResponses.clear();
  });

  function fetchContainer(overrides: Partial<V1Container> = {}): V1Container {
    return {
      name: 'fetch-context',
      image: CURL_IMAGE,
      command: ['curl'],
      args: ['--fail', '--silent', '--show-error', '--location', '--retry', '3', '--output', '/workspace/context.tar.gz', '$(CONTEXT_URL)'],
      env: [{ name: 'CONTEXT_URL', valueFrom: { secretKeyRef: { name: 'context', key: 'CONTEXT_URL' } } }],
      volumeMounts: [{ name: 'workspace', mountPath: '/workspace' }],
      ...overrides,
    };
  }

  function buildPod(name: string, initContainers: V1Container[], spec: Partial<V1Pod['spec']> = {}): V1Pod {
    return {
      metadata: { namespace: NAMESPACE, name, uid: `uid-${name}` },
      spec: {
        restartPolicy: 'Never',
        initContainers,
        containers: [{
          name: 'kaniko',
          image: KANIKO_IMAGE,
          args: ['--context=tar:///workspace/context.tar.gz', `--destination=${REGISTRY}/team/app:1`, '--digest-file=/dev/termination-log', '--log-format=text'],
          volumeMounts: [
            { name: 'workspace', mountPath: '/workspace' },
            { name: 'docker-config', mountPath: '/kaniko/.docker', readOnly: true },
          ],
        }],
        volumes: [
          { name: 'workspace', emptyDir: {} },
          { name: 'docker-config', secret: { secretName: 'registry', items: [{ key: 'config.json', path: 'config.json' }] } },
        ],
        ...spec,
      },
    };
  }

  function status(name: string): V1PodStatus {
    return store.getPod(NAMESPACE, name)?.status ?? {};
  }

  function condition(name: string, type: string) {
    return status(name).conditions?.find((entry) => entry.type === type);
  }

  function waitForPhase(name: string, phase: string): Promise<void> {
    return store.waitFor(`pod ${name} to reach ${phase}`, () => status(name).phase === phase);
  }

  function start(pod: V1Pod): void {
    kubelet.podCreated(store.addPod(pod));
  }

  it('runs init containers one after another before the containers', async () => {
    const marker = fetchContainer({ name: 'marker', args: ['-sS', '-o', '/workspace/marker', `${base}/context.tar.gz`] });
    start(buildPod('build-ok', [marker, fetchContainer()]));
    await waitForPhase('build-ok', 'Succeeded');

    const started = store.eventsFor(NAMESPACE, 'build-ok').filter((event) => event.reason === 'Started').map((event) => event.message);
    assert.deepEqual(started, ['Started container marker', 'Started container fetch-context', 'Started container kaniko']);
    const statuses = status('build-ok').initContainerStatuses ?? [];
    assert.deepEqual(statuses.map((entry) => [entry.name, entry.state?.terminated?.exitCode, entry.state?.terminated?.reason, entry.ready]), [
      ['marker', 0, 'Completed', true],
      ['fetch-context', 0, 'Completed', true],
    ]);
    assert.equal(statuses[0].image, CURL_IMAGE);
    assert.match(statuses[0].containerID ?? '', /^containerd:\/\/[0-9a-f]{64}$/);
    assert.deepEqual(kubelet.runs[0].contextFiles, ['Dockerfile', 'app.py']);
    const initialized = condition('build-ok', 'Initialized');
    assert.equal(initialized?.status, 'True');
    assert.equal(initialized?.reason, 'PodCompleted');

    const history = store.statusHistory.get(`${NAMESPACE}/build-ok`) ?? [];
    const kanikoRanEarly = history.some((entry) =>
      entry.containerStatuses?.[0]?.state?.running && entry.initContainerStatuses?.some((init) => !init.state?.terminated));
    assert.equal(kanikoRanEarly, false, 'kaniko never ran before both init containers completed');
  });

  it('reports Pending and PodInitializing while an init container runs', async () => {
    store.addSecret({ metadata: { namespace: NAMESPACE, name: 'context' }, stringData: { CONTEXT_URL: `${base}/held/slow` } });
    start(buildPod('build-slow', [fetchContainer()]));
    await store.waitFor('the init container to run', () => Boolean(status('build-slow').initContainerStatuses?.[0]?.state?.running));

    assert.equal(status('build-slow').phase, 'Pending');
    const init = status('build-slow').initContainerStatuses?.[0];
    assert.equal(init?.started, true);
    assert.equal(init?.ready, false);
    assert.equal(status('build-slow').containerStatuses?.[0]?.state?.waiting?.reason, 'PodInitializing');
    const initialized = condition('build-slow', 'Initialized');
    assert.equal(initialized?.status, 'False');
    assert.equal(initialized?.reason, 'ContainersNotInitialized');
    assert.equal(initialized?.message, 'containers with incomplete status: [fetch-context]');
    assert.equal(condition('build-slow', 'Ready')?.message, 'containers with unready status: [kaniko]');

    await waitFor(() => delayedResponses.has('/held/slow'), 'curl to reach the server');
    delayedResponses.get('/held/slow')?.end(archive);
    await waitForPhase('build-slow', 'Succeeded');
  });

  it('waits with PodInitializing before an init container starts', async () => {
    start(buildPod('build-first', [fetchContainer()]));
    await waitForPhase('build-first', 'Succeeded');
    const history = store.statusHistory.get(`${NAMESPACE}/build-first`) ?? [];
    const bound = history.find((entry) => entry.initContainerStatuses !== undefined);
    assert.equal(bound?.initContainerStatuses?.[0]?.state?.waiting?.reason, 'PodInitializing');
    assert.equal(bound?.containerStatuses?.[0]?.state?.waiting?.reason, 'PodInitializing');
  });

  it('fails the pod when an init container exits with an error', async () => {
    store.addSecret({ metadata: { namespace: NAMESPACE, name: 'context' }, stringData: { CONTEXT_URL: `${base}/forbidden` } });
    start(buildPod('build-denied', [fetchContainer()]));
    await waitForPhase('build-denied', 'Failed');

    const terminated = status('build-denied').initContainerStatuses?.[0]?.state?.terminated;
    assert.equal(terminated?.exitCode, 22);
    assert.equal(terminated?.reason, 'Error');
    assert.equal(status('build-denied').initContainerStatuses?.[0]?.ready, false);
    assert.equal(status('build-denied').containerStatuses?.[0]?.state?.waiting?.reason, 'PodInitializing');
    assert.equal(condition('build-denied', 'Ready')?.reason, 'PodFailed');
    assert.equal(condition('build-denied', 'Initialized')?.message, 'containers with incomplete status: [fetch-context]');
    assert.deepEqual(store.logLines(NAMESPACE, 'build-denied', 'fetch-context'), ['curl: (22) The requested URL returned error: 403']);
    assert.ok(store.logEnded(NAMESPACE, 'build-denied', 'fetch-context'));
    assert.equal(kubelet.runs[0].exitCode, undefined, 'kaniko never started');
  });

  it('fails curl with code 23 on a read-only mount', async () => {
    const readOnly = fetchContainer({ volumeMounts: [{ name: 'workspace', mountPath: '/workspace', readOnly: true }] });
    start(buildPod('build-read-only', [readOnly]));
    await waitForPhase('build-read-only', 'Failed');
    assert.equal(status('build-read-only').initContainerStatuses?.[0]?.state?.terminated?.exitCode, 23);
    assert.match(store.logLines(NAMESPACE, 'build-read-only', 'fetch-context')[0], /^curl: \(23\) client returned ERROR on write of \d+ bytes$/);
  });

  it('fails kaniko when no container wrote the archive', async () => {
    const elsewhere = fetchContainer({ args: ['-sS', '-o', '/tmp/context.tar.gz', '$(CONTEXT_URL)'] });
    start(buildPod('build-elsewhere', [elsewhere]));
    await waitForPhase('build-elsewhere', 'Failed');
    assert.equal(status('build-elsewhere').initContainerStatuses?.[0]?.state?.terminated?.exitCode, 0);
    assert.equal(status('build-elsewhere').containerStatuses?.[0]?.state?.terminated?.exitCode, 1);
    assert.equal(store.logLines(NAMESPACE, 'build-elsewhere', 'kaniko')[0], 'Error: error resolving source context: open /workspace/context.tar.gz: no such file or directory');
  });

  it('keeps the pod Pending when an init image cannot be pulled', async () => {
    start(buildPod('build-no-image', [fetchContainer({ image: 'curlimages/curl:8.99.0' })]));
    await store.waitFor('the pull to fail', () => status('build-no-image').initContainerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff');
    assert.equal(status('build-no-image').phase, 'Pending');
    assert.equal(status('build-no-image').containerStatuses?.[0]?.state?.waiting?.reason, 'PodInitializing');
  });

  it('fails an init container that runs another program', async () => {
    start(buildPod('build-shell', [fetchContainer({ command: ['sh', '-c'], args: ['curl -o /workspace/context.tar.gz "$CONTEXT_URL"'] })]));
    await waitForPhase('build-shell', 'Failed');
    const terminated = status('build-shell').initContainerStatuses?.[0]?.state?.terminated;
    assert.equal(terminated?.reason, 'StartError');
    assert.equal(terminated?.exitCode, 128);
  });

  it('kills a running init container at the active deadline', async () => {
    store.addSecret({ metadata: { namespace: NAMESPACE, name: 'context' }, stringData: { CONTEXT_URL: `${base}/held/deadline` } });
    start(buildPod('build-deadline', [fetchContainer()], { activeDeadlineSeconds: 1 }));
    await waitForPhase('build-deadline', 'Failed');
    assert.equal(status('build-deadline').reason, 'DeadlineExceeded');
    assert.equal(status('build-deadline').initContainerStatuses?.[0]?.state?.terminated?.exitCode, 137);
  });

  it('expands $(NAME) in arguments from the container variables', async () => {
    const expanded = fetchContainer({
      args: ['-sS', '-o', '$(TARGET_DIR)/context.tar.gz', '$(CONTEXT_URL)'],
      env: [...(fetchContainer().env ?? []), { name: 'TARGET_DIR', value: '/workspace' }],
    });
    start(buildPod('build-expand', [expanded]));
    await waitForPhase('build-expand', 'Succeeded');
  });

  it('leaves image variables, unknown names and $$ unexpanded', async () => {
    const literal = fetchContainer({ args: ['-S', '-o', '$(PATH)/$$(CONTEXT_URL)', '$(CONTEXT_URL)'] });
    start(buildPod('build-literal', [literal]));
    await waitForPhase('build-literal', 'Failed');
    assert.deepEqual(store.logLines(NAMESPACE, 'build-literal', 'fetch-context'), [
      'Warning: Failed to open the file $(PATH)/$(CONTEXT_URL): No such file or directory',
      `curl: (23) client returned ERROR on write of ${archive.length} bytes`,
    ]);
  });
});
