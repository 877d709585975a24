// The executor emulation with the registry contents: pushed images and their labels, the layer
// cache, push retries, registry mirrors and registries without TLS.
import assert from 'node:assert/strict';
import { RegistryStore } from '../../../../tools/local-cluster/kubelet/executor/registry-store';
import { runExecutor, type ExecutorResult } from '../../../../tools/local-cluster/kubelet/executor/run';
import { makeContextArchive } from './helpers';

const IMAGE = 'ghcr.io/osscontainertools/kaniko:v1.28.3';
const DESTINATION = 'myreg.azurecr.io/team/app:1';
const CACHE = 'myreg.azurecr.io/team/app/cache';
const FIXED_TIME = new Date('2026-08-01T12:00:00Z');
const BASE_ARGS = ['--context=tar:///context/context.tar.gz', `--destination=${DESTINATION}`, '--log-format=text', '--digest-file=/dev/termination-log'];
const REGISTRY_ACCOUNTS = {
  'myreg.azurecr.io': { username: 'builder', password: 'secret' },
  'other.example.test': { username: 'someone', password: 'else' },
  'mirror.example.test': { username: 'mirror-user', password: 'mirror-password' },
};

interface Run {
  result: ExecutorResult;
  lines: string[];
  /** The messages of kaniko's log lines, without time and level. */
  messages: string[];
}

async function runWith(options: {
  store: RegistryStore;
  files: Record<string, string>;
  args?: string[];
  now?: Date;
}): Promise<Run> {
  const auth = Buffer.from('builder:secret').toString('base64');
  const mounted = new Map<string, Buffer>([
    ['/context/context.tar.gz', await makeContextArchive(options.files)],
    ['/kaniko/.docker/config.json', Buffer.from(JSON.stringify({ auths: { 'myreg.azurecr.io': { auth } } }))],
  ]);
  const lines: string[] = [];
  const result = await runExecutor({
    image: IMAGE,
    args: [...BASE_ARGS, ...(options.args ?? [])],
    env: {},
    registryCredentials: REGISTRY_ACCOUNTS,
    registry: options.store,
    mountedFiles: mounted,
    resolveBlobService: () => undefined,
    stepDelayMs: 0,
    signal: new AbortController().signal,
    writeLine: (line) => lines.push(line),
    now: () => options.now ?? FIXED_TIME,
  });
  const messages = lines.map((line) => /msg="(.*)"$/.exec(line)?.[1].replace(/\\"/g, '"') ?? line);
  return { result, lines, messages };
}

const APP = {
  'Dockerfile': 'FROM python:3.12-slim\nARG VERSION=1\nCOPY app.py .\nRUN echo "built $VERSION"\nRUN echo second\n',
  'app.py': 'print("hi")\n',
};

describe('executor emulation: registries', () => {
  describe('pushed images', () => {
    it('push stores the image with its labels', async () => {
      const store = new RegistryStore();
      const files = { Dockerfile: 'FROM alpine:3.20\nARG TEAM=web\nLABEL org.example.team=$TEAM override="from dockerfile"\n' };
      const { result } = await runWith({ store, files, args: ['--label=override=from flag', '--label=org.example.source=https://x.test/a=b'] });

      assert.equal(result.exitCode, 0);
      assert.deepEqual(store.get('myreg.azurecr.io/team/app:1'), {
        digest: result.digest,
        labels: { override: 'from dockerfile', 'org.example.source': 'https://x.test/a=b', 'org.example.team': 'web' },
        created: FIXED_TIME,
      });
    });

    it('labels of earlier stages stay out unless built on', async () => {
      const store = new RegistryStore();
      const files = {
        Dockerfile: 'FROM alpine:3.20 AS base\nLABEL layer=base\nFROM alpine:3.20 AS other\nLABEL layer=other\nFROM base\nLABEL final=yes\n',
      };
      const { result } = await runWith({ store, files, args: ['--label=flag=1'] });

      assert.equal(result.exitCode, 0);
      assert.deepEqual(store.get('myreg.azurecr.io/team/app:1')?.labels, { layer: 'base', flag: '1', final: 'yes' });
    });

    it('no push stores nothing', async () => {
      const store = new RegistryStore();
      const { result } = await runWith({ store, files: APP, args: ['--no-push'] });

      assert.equal(result.exitCode, 0);
      assert.deepEqual(store.tagsOf('myreg.azurecr.io/team/app'), []);
      assert.equal(result.writtenFiles.get('/dev/termination-log')?.toString(), result.digest);
    });
  });

  describe('layer cache', () => {
    it('second build uses the cached layers', async () => {
      const store = new RegistryStore();
      const first = await runWith({ store, files: APP, args: ['--cache'] });
      const second = await runWith({ store, files: APP, args: ['--cache'] });

      assert.equal(first.result.exitCode, 0, first.lines.join('\n'));
      assert.ok(first.messages.includes('No cached layer found for cmd RUN echo "built $VERSION"'), first.messages.join('\n'));
      assert.ok(first.messages.includes('built 1'));
      const pushed = first.messages.filter((message) => message.startsWith('Pushing layer '));
      assert.equal(pushed.length, 2, pushed.join('\n'));
      assert.match(pushed[0], /^Pushing layer myreg\.azurecr\.io\/team\/app\/cache:[0-9a-f]{64} to cache now$/);
      assert.equal(store.tagsOf(CACHE).length, 2);

      assert.equal(second.result.exitCode, 0, second.lines.join('\n'));
      assert.ok(second.messages.includes('Using caching version of cmd: RUN echo "built $VERSION"'), second.messages.join('\n'));
      assert.ok(second.messages.includes('Using caching version of cmd: RUN echo second'));
      assert.equal(second.messages.filter((message) => message === 'Found cached layer, extracting to filesystem').length, 2);
      assert.ok(second.messages.includes('Skipping unpacking as no commands require it.'));
      assert.ok(!second.messages.includes('built 1'), 'a cached RUN step ran');
      assert.ok(!second.messages.some((message) => message.startsWith('Pushing layer ')));
    });

    it('explicit repository and ttl', async () => {
      const store = new RegistryStore();
      await runWith({ store, files: APP, args: ['--cache', '--cache-repo=myreg.azurecr.io/shared/cache', '--cache-ttl=1h'] });
      const fresh = await runWith({ store, files: APP, args: ['--cache', '--cache-repo=myreg.azurecr.io/shared/cache', '--cache-ttl=1h'], now: new Date(FIXED_TIME.getTime() + 30 * 60_000) });
      const stale = await runWith({ store, files: APP, args: ['--cache', '--cache-repo=myreg.azurecr.io/shared/cache', '--cache-ttl=1h'], now: new Date(FIXED_TIME.getTime() + 2 * 3600_000) });

      assert.equal(store.tagsOf('myreg.azurecr.io/shared/cache').length, 2);
      assert.ok(fresh.messages.includes('Using caching version of cmd: RUN echo second'), fresh.messages.join('\n'));
      assert.ok(stale.messages.some((message) => /^Cache entry expired: myreg\.azurecr\.io\/shared\/cache:[0-9a-f]{64}$/.test(message)), stale.messages.join('\n'));
      assert.ok(stale.messages.includes('built 1'), 'an expired layer was used');
    });

    it('changed build argument misses', async () => {
      const store = new RegistryStore();
      await runWith({ store, files: APP, args: ['--cache'] });
      const changed = await runWith({ store, files: APP, args: ['--cache', '--build-arg=VERSION=2'] });

      assert.ok(changed.messages.includes('No cached layer found for cmd RUN echo "built $VERSION"'), changed.messages.join('\n'));
      assert.ok(changed.messages.includes('built 2'));
      // The first miss ends the lookups, so the next RUN step runs too.
      assert.ok(changed.messages.includes('second'));
    });

    it('changed copied file misses', async () => {
      const store = new RegistryStore();
      await runWith({ store, files: APP, args: ['--cache'] });
      const changed = await runWith({ store, files: { ...APP, 'app.py': 'print("changed")\n' }, args: ['--cache'] });

      assert.ok(changed.messages.includes('No cached layer found for cmd RUN echo "built $VERSION"'), changed.messages.join('\n'));
    });

    it('no-push-cache reads but does not write', async () => {
      const store = new RegistryStore();
      const { result, messages } = await runWith({ store, files: APP, args: ['--cache', '--no-push-cache'] });

      assert.equal(result.exitCode, 0);
      assert.ok(messages.includes('No cached layer found for cmd RUN echo "built $VERSION"'));
      assert.deepEqual(store.tagsOf(CACHE), []);
    });

    it('rejected cache push is a warning', async () => {
      const store = new RegistryStore();
      const { result, messages } = await runWith({ store, files: APP, args: ['--cache', '--cache-repo=other.example.test/cache'] });

      assert.equal(result.exitCode, 0, messages.join('\n'));
      const warning = messages.find((message) => message.startsWith('Error uploading layer to cache: '));
      assert.match(warning ?? '', /^Error uploading layer to cache: failed to push to destination other\.example\.test\/cache:[0-9a-f]{64}: POST https:\/\/other\.example\.test\/v2\/cache\/blobs\/uploads\/: UNAUTHORIZED/);
      assert.deepEqual(store.tagsOf('other.example.test/cache'), []);
    });
  });

  describe('push retries', () => {
    const failure = 'PUT https://myreg.azurecr.io/v2/team/app/manifests/1: MANIFEST_BLOB_UNKNOWN: blob unknown to registry';

    it('failed push without retries', async () => {
      const store = new RegistryStore();
      store.failManifestUploads('myreg.azurecr.io', 1);
      const { result, lines } = await runWith({ store, files: APP });

      assert.equal(result.exitCode, 1);
      assert.equal(lines[lines.length - 1], `error pushing image: failed to push to destination ${DESTINATION}: ${failure}`);
      assert.equal(store.get('myreg.azurecr.io/team/app:1'), undefined);
    });

    it('retry pushes after a failure', async function () {
      this.timeout(10_000);
      const store = new RegistryStore();
      store.failManifestUploads('myreg.azurecr.io', 1);
      const { result, messages } = await runWith({ store, files: APP, args: ['--push-retry=2'] });

      assert.equal(result.exitCode, 0, messages.join('\n'));
      assert.ok(messages.includes(`Retrying operation after 1s due to ${failure}`), messages.join('\n'));
      assert.equal(store.get('myreg.azurecr.io/team/app:1')?.digest, result.digest);
    });
  });

  describe('registry mirrors', () => {
    it('Docker Hub image comes from the mirror', async () => {
      const store = new RegistryStore();
      const { result, messages } = await runWith({ store, files: APP, args: ['--registry-mirror=public-mirror.example.test/dockerhub'] });

      assert.equal(result.exitCode, 0);
      assert.ok(messages.includes('Retrieving image python:3.12-slim from mapped registry public-mirror.example.test'), messages.join('\n'));
      assert.ok(!messages.includes('Retrieving image python:3.12-slim from registry index.docker.io'));
    });

    it('mirror without credentials falls back', async () => {
      const store = new RegistryStore();
      const { result, messages } = await runWith({ store, files: APP, args: ['--registry-mirror=mirror.example.test'] });

      assert.equal(result.exitCode, 0);
      const warning = messages.find((message) => message.startsWith('Failed to retrieve image python:3.12-slim from remapped registry mirror.example.test: '));
      assert.match(warning ?? '', /mirror\.example\.test\/oauth2\/token\?scope=repository%3Alibrary%2Fpython%3Apull.*UNAUTHORIZED.*Will try with the next registry, or fallback to the original registry\.$/);
      assert.ok(messages.includes('Retrieving image python:3.12-slim from registry index.docker.io'), messages.join('\n'));
    });

    it('no fallback when turned off', async () => {
      const store = new RegistryStore();
      const { result, lines } = await runWith({ store, files: APP, args: ['--registry-mirror=mirror.example.test', '--skip-default-registry-fallback'] });

      assert.equal(result.exitCode, 1);
      assert.equal(lines[lines.length - 1], 'error building image: image not found on any configured mapped registries for python:3.12-slim');
    });

    it('other registries are not mirrored', async () => {
      const store = new RegistryStore();
      const { messages } = await runWith({ store, files: { Dockerfile: 'FROM myreg.azurecr.io/base:1\n' }, args: ['--registry-mirror=mirror.example.test'] });

      assert.ok(!messages.some((message) => message.includes('mapped registry')), messages.join('\n'));
    });
  });

  describe('registries without TLS', () => {
    it('plain HTTP registry fails the push check', async () => {
      const store = new RegistryStore();
      store.servePlainHttp('myreg.azurecr.io');
      const { result, lines } = await runWith({ store, files: APP });

      assert.equal(result.exitCode, 1);
      assert.equal(lines[lines.length - 1],
        `error checking push permissions: checking push permission for "${DESTINATION}": Get "https://myreg.azurecr.io/v2/": http: server gave HTTP response to HTTPS client`);
    });

    it('insecure registry is reached', async () => {
      const store = new RegistryStore();
      store.servePlainHttp('myreg.azurecr.io');
      const { result, lines } = await runWith({ store, files: APP, args: ['--insecure-registry=myreg.azurecr.io'] });

      assert.equal(result.exitCode, 0, lines.join('\n'));
      assert.equal(store.get('myreg.azurecr.io/team/app:1')?.digest, result.digest);
    });

    it('plain HTTP base image registry needs insecure pulls', async () => {
      const store = new RegistryStore();
      store.servePlainHttp('base.internal:5000');
      const files = { Dockerfile: 'FROM base.internal:5000/python:3.12\n' };
      const rejected = await runWith({ store, files });
      const pulled = await runWith({ store, files, args: ['--insecure-pull'] });

      assert.equal(rejected.result.exitCode, 1);
      assert.equal(rejected.lines[rejected.lines.length - 1], 'error building image: Get "https://base.internal:5000/v2/": http: server gave HTTP response to HTTPS client');
      assert.equal(pulled.result.exitCode, 0, pulled.lines.join('\n'));
    });
  });
});
