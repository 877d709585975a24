// parseSettings with the kaniko option inputs: cache, labels, unused stages, push retries,
// registry mirrors, registries without TLS and building without a push.
import { strict as assert } from 'node:assert';
import { parseSettings } from '../../../tasks/KanikoBuildV1/src/settings/parse';
import type { RawInputs } from '../../../tasks/KanikoBuildV1/src/settings/raw';
import type { Settings } from '../../../tasks/KanikoBuildV1/src/settings/types';
import { rawRun, settingsProblems, SOURCE_VERSION, usernamePasswordEndpoint, type RunChanges } from './support/raw-run';
import { useTempDir, writeTree } from './support/temp-dir';

const MULTI_STAGE = 'FROM golang:1.22 AS build\nRUN go build\nFROM alpine:3.20 AS test\nFROM alpine:3.20 AS final\nCOPY --from=build /app /app\n';
const SOURCE = 'https://dev.azure.example.test/fabrikam/Fabrikam%20Web/_git/web';
const HUB_CONNECTION = { id: 'hub-connection', endpoint: { ...usernamePasswordEndpoint('https://index.docker.io/v1/'), input: 'baseImageRegistries', id: 'hub-connection' } };

describe('settings: kaniko options', () => {
  const root = useTempDir();
  beforeEach(() => writeTree(root(), { Dockerfile: 'FROM alpine\n', 'multi/Dockerfile': MULTI_STAGE }));
  const parse = (inputs: Partial<RawInputs>, changes: RunChanges = {}): Settings => parseSettings(rawRun(root(), { ...changes, inputs }));
  const kanikoOf = (inputs: Partial<RawInputs>, changes: RunChanges = {}) => parse(inputs, changes).kaniko;
  const problemsOf = (inputs: Partial<RawInputs>, changes: RunChanges = {}) => settingsProblems(rawRun(root(), { ...changes, inputs }));

  it('defaults add only the OCI labels', () => {
    assert.deepEqual(kanikoOf({}), {
      labels: [
        { key: 'org.opencontainers.image.source', value: SOURCE },
        { key: 'org.opencontainers.image.revision', value: SOURCE_VERSION },
      ],
      skipUnusedStages: false,
      pushRetry: 0,
      registryMirrors: [],
      insecureRegistries: [],
      noPush: false,
      extraArgs: [],
    });
  });

  describe('cache', () => {
    it('repository defaults to the image repository', () => {
      assert.deepEqual(kanikoOf({ cache: 'true' }).cache, { repository: 'myregistry.azurecr.io/team/web/cache' });
    });

    const accepted = [
      { name: 'path on the push registry', inputs: { cacheRepository: 'team/cache' }, repository: 'myregistry.azurecr.io/team/cache' },
      { name: 'host of the push registry', inputs: { cacheRepository: 'myregistry.azurecr.io/cache/web' }, repository: 'myregistry.azurecr.io/cache/web' },
      { name: 'upper-case host', inputs: { cacheRepository: 'MyRegistry.azurecr.io/cache' }, repository: 'myregistry.azurecr.io/cache' },
      { name: 'lifetime in hours', inputs: { cacheTtl: '168h' }, repository: 'myregistry.azurecr.io/team/web/cache', ttl: '168h' },
      { name: 'lifetime in hours and minutes', inputs: { cacheTtl: '1h30m' }, repository: 'myregistry.azurecr.io/team/web/cache', ttl: '1h30m' },
    ];
    for (const { name, inputs, repository, ttl } of accepted) {
      it(`accepted: ${name}`, () => {
        assert.deepEqual(kanikoOf({ cache: 'true', ...inputs }).cache, { repository, ...(ttl ? { ttl } : {}) });
      });
    }

    it('repository on a base image registry is accepted', () => {
      const kaniko = kanikoOf({ cache: 'true', cacheRepository: 'docker.io/team/cache', baseImageRegistries: 'hub-connection' }, {
        baseImageEndpoints: [HUB_CONNECTION],
      });

      assert.deepEqual(kaniko.cache, { repository: 'docker.io/team/cache' });
    });

    it('repository without credentials is rejected', () => {
      const problems = problemsOf({ cache: 'true', cacheRepository: 'ghcr.io/team/cache' });

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], /^Input cacheRepository: the task has no credentials for registry ghcr\.io \(of ghcr\.io\/team\/cache\)/);
    });

    for (const repository of ['team/web:cache', 'team/web@sha256:abc', 'oci:/cache', 'Team/Cache', 'team//cache', 'myregistry.azurecr.io/']) {
      it(`repository '${repository}' is rejected`, () => {
        const problems = problemsOf({ cache: 'true', cacheRepository: repository });

        assert.equal(problems.length, 1, problems.join('\n'));
        assert.ok(problems[0].startsWith(`Input cacheRepository: '${repository}' is not a repository`), problems[0]);
      });
    }

    for (const ttl of ['7d', 'forever', '0', '0s', '-1h', '168', 'h']) {
      it(`lifetime '${ttl}' is rejected`, () => {
        const problems = problemsOf({ cache: 'true', cacheTtl: ttl });

        assert.equal(problems.length, 1, problems.join('\n'));
        assert.ok(problems[0].startsWith(`Input cacheTtl: '${ttl}' is not a positive Go duration`), problems[0]);
      });
    }

    it('cache inputs are ignored when the cache is off', () => {
      assert.equal(kanikoOf({ cache: 'false', cacheRepository: 'oci:/x', cacheTtl: 'never' }).cache, undefined);
    });
  });

  describe('labels', () => {
    it('labels input follows the OCI labels', () => {
      const kaniko = kanikoOf({ labels: '# team labels\norg.example.team=web platform\n\n  tier = front=end  \nempty=' });

      assert.deepEqual(kaniko.labels, [
        { key: 'org.opencontainers.image.source', value: SOURCE },
        { key: 'org.opencontainers.image.revision', value: SOURCE_VERSION },
        { key: 'org.example.team', value: 'web platform' },
        { key: 'tier', value: 'front=end' },
        { key: 'empty', value: '' },
      ]);
    });

    it('user label replaces an OCI label', () => {
      const kaniko = kanikoOf({ labels: 'org.opencontainers.image.source=https://github.com/fabrikam/web' });

      assert.deepEqual(kaniko.labels, [
        { key: 'org.opencontainers.image.revision', value: SOURCE_VERSION },
        { key: 'org.opencontainers.image.source', value: 'https://github.com/fabrikam/web' },
      ]);
    });

    it('ociLabels false leaves them out', () => {
      assert.deepEqual(kanikoOf({ ociLabels: 'false', labels: 'a=b' }).labels, [{ key: 'a', value: 'b' }]);
    });

    const sources = [
      { name: 'GitHub', uri: 'https://github.com/fabrikam/web', expected: 'https://github.com/fabrikam/web' },
      { name: 'user and password', uri: 'https://build:s3cret@git.example.test/web.git', expected: 'https://git.example.test/web.git' },
      { name: 'ssh', uri: 'ssh://git@git.example.test/web.git', expected: undefined },
      { name: 'scp form', uri: 'git@github.com:fabrikam/web.git', expected: undefined },
      { name: 'TFVC path', uri: '$/Fabrikam', expected: undefined },
      { name: 'empty', uri: '', expected: undefined },
    ];
    for (const { name, uri, expected } of sources) {
      it(`source label from ${name}`, () => {
        const labels = kanikoOf({}, { repositoryUri: uri }).labels;
        const source = labels.find((label) => label.key === 'org.opencontainers.image.source');

        assert.equal(source?.value, expected);
        assert.ok(labels.some((label) => label.key === 'org.opencontainers.image.revision'));
      });
    }

    it('no revision label without a source version', () => {
      const labels = kanikoOf({}, { sourceVersion: '' }).labels;

      assert.deepEqual(labels.map((label) => label.key), ['org.opencontainers.image.source']);
    });

    it('no created label', () => {
      assert.ok(!kanikoOf({}).labels.some((label) => label.key === 'org.opencontainers.image.created'));
    });

    it('invalid and duplicate labels are listed', () => {
      const problems = problemsOf({ labels: 'no-separator\n=value\nsp ace=x\nok=1\nok=2' });

      assert.deepEqual(problems, [
        "Input labels: the line for 'no-separator' is not KEY=VALUE with a KEY without spaces. Write one KEY=VALUE a line, such as org.opencontainers.image.title=web.",
        "Input labels: the line for '(empty)' is not KEY=VALUE with a KEY without spaces. Write one KEY=VALUE a line, such as org.opencontainers.image.title=web.",
        "Input labels: the line for 'sp ace' is not KEY=VALUE with a KEY without spaces. Write one KEY=VALUE a line, such as org.opencontainers.image.title=web.",
        'Input labels: ok appears more than once. Keep one line for it.',
      ]);
    });
  });

  describe('skipUnusedStages', () => {
    const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
    const cases = [
      { name: 'fork before v1.27.0', image: 'ghcr.io/osscontainertools/kaniko:v1.26.4', expected: true },
      { name: 'Google release', image: 'gcr.io/kaniko-project/executor:v1.23.2', expected: true },
      { name: 'fork v1.27.0', image: 'ghcr.io/osscontainertools/kaniko:v1.27.0', expected: false },
      { name: 'fork v1.28.3', image: 'ghcr.io/osscontainertools/kaniko:v1.28.3', expected: false },
      { name: 'Docker Hub debug image', image: 'martizih/kaniko:v1.27.1-debug', expected: false },
      { name: 'fork rebuild before v1.27.0', image: 'docker.io/martizih/kaniko:v1.24.0-5', expected: true },
      { name: 'mirror of a new release', image: 'myregistry.azurecr.io/mirror/kaniko:v1.28.3', expected: true },
      { name: 'floating tag', image: 'ghcr.io/osscontainertools/kaniko:latest', expected: true },
      { name: 'digest only', image: `ghcr.io/osscontainertools/kaniko@${DIGEST}`, expected: true },
      { name: 'release with a digest', image: `ghcr.io/osscontainertools/kaniko:v1.28.3@${DIGEST}`, expected: false },
    ];
    for (const { name, image, expected } of cases) {
      it(`flag with ${name}: ${expected}`, () => {
        assert.equal(kanikoOf({ dockerfile: 'multi/Dockerfile', target: 'final', executorImage: image }).skipUnusedStages, expected);
      });
    }

    it('no flag for a single stage', () => {
      assert.equal(kanikoOf({ executorImage: 'ghcr.io/osscontainertools/kaniko:v1.26.4' }).skipUnusedStages, false);
    });

    it('no flag when turned off', () => {
      const kaniko = kanikoOf({ dockerfile: 'multi/Dockerfile', executorImage: 'ghcr.io/osscontainertools/kaniko:v1.26.4', skipUnusedStages: 'false' });

      assert.equal(kaniko.skipUnusedStages, false);
    });

    it('flag also without a target', () => {
      assert.equal(kanikoOf({ dockerfile: 'multi/Dockerfile', executorImage: 'ghcr.io/osscontainertools/kaniko:v1.26.4' }).skipUnusedStages, true);
    });

    describe('pulled images', () => {
      beforeEach(() => writeTree(root(), {
        'unused/Dockerfile': 'FROM otherregistry.azurecr.io/tools:1 AS tools\nFROM alpine:3.20 AS final\n',
      }));
      const oldExecutor = 'ghcr.io/osscontainertools/kaniko:v1.26.4';

      it('unused stage is not checked when skipped', () => {
        const build = parse({ dockerfile: 'unused/Dockerfile', target: 'final', executorImage: oldExecutor }).build;

        assert.deepEqual(build.pulledImages.map((image) => image.reference), ['alpine:3.20']);
      });

      it('unused stage is checked when built', () => {
        const problems = problemsOf({ dockerfile: 'unused/Dockerfile', target: 'final', executorImage: oldExecutor, skipUnusedStages: 'false' });

        assert.equal(problems.length, 1, problems.join('\n'));
        assert.match(problems[0], /otherregistry\.azurecr\.io\/tools:1/);
      });

      it('new executor skips the unused stage anyway', () => {
        const settings = parse({ dockerfile: 'unused/Dockerfile', target: 'final', skipUnusedStages: 'false' });

        assert.deepEqual(settings.build.pulledImages.map((image) => image.reference), ['alpine:3.20']);
      });
    });
  });

  describe('registry access', () => {
    for (const [input, expected] of [['', 0], ['0', 0], ['3', 3], ['10', 10]] as const) {
      it(`push retries '${input}' give ${expected}`, () => {
        assert.equal(kanikoOf({ pushRetry: input }).pushRetry, expected);
      });
    }

    for (const input of ['11', '-1', 'three', '1.5', '100']) {
      it(`push retries '${input}' are rejected`, () => {
        const problems = problemsOf({ pushRetry: input });

        assert.deepEqual(problems, [`Input pushRetry: '${input}' is not a whole number from 0 to 10. Enter how often kaniko retries a failed push, or 0 for no retry.`]);
      });
    }

    it('registry mirrors are normalised', () => {
      const kaniko = kanikoOf({ registryMirror: 'mirror.gcr.io\n# company mirror\nhttps://MyRegistry.azurecr.io/dockerhub/\n\nmirror.gcr.io\r\nlocalhost:5000' });

      assert.deepEqual(kaniko.registryMirrors, ['mirror.gcr.io', 'myregistry.azurecr.io/dockerhub', 'localhost:5000']);
    });

    it('invalid registry mirrors are listed', () => {
      const problems = problemsOf({ registryMirror: 'http://mirror.local\nmirror..example\nmirror.gcr.io/Upper\nok.example' });

      assert.equal(problems.length, 3, problems.join('\n'));
      assert.ok(problems[0].startsWith("Input registryMirror: 'http://mirror.local' is not a registry host"), problems[0]);
      assert.ok(problems[1].startsWith("Input registryMirror: 'mirror..example'"), problems[1]);
      assert.ok(problems[2].startsWith("Input registryMirror: 'mirror.gcr.io/Upper'"), problems[2]);
    });

    it('insecure registries are normalised', () => {
      assert.deepEqual(kanikoOf({ insecureRegistries: 'registry.internal:5000\nhttp://Cache.Internal/\n' }).insecureRegistries, [
        'registry.internal:5000', 'cache.internal',
      ]);
    });

    it('invalid insecure registries are listed', () => {
      const problems = problemsOf({ insecureRegistries: 'registry internal\nregistry.internal:port\nregistry.internal/path\nregistry.internal:99999\nregistry.internal:0' });

      assert.equal(problems.length, 5, problems.join('\n'));
      for (const problem of problems) assert.match(problem, /^Input insecureRegistries: '.+' is not a registry host with an optional port/);
    });
  });

  describe('noPush', () => {
    it('keeps the registry connection', () => {
      const settings = parse({ noPush: 'true' });

      assert.equal(settings.kaniko.noPush, true);
      assert.equal(settings.registry.connectionName, 'acr-connection');
      assert.equal(settings.registry.noCredentials, undefined);
    });

    it('works without a registry connection', () => {
      const settings = parse({ noPush: 'true', containerRegistry: '', repository: 'myregistry.azurecr.io/team/web' }, { registryEndpoint: null });

      assert.equal(settings.registry.host, 'myregistry.azurecr.io');
      assert.equal(settings.registry.noCredentials, true);
      assert.equal(settings.image.repository, 'myregistry.azurecr.io/team/web');
    });

    it('needs the registry host without a connection', () => {
      const problems = problemsOf({ noPush: 'true', containerRegistry: '', repository: 'team/web' }, { registryEndpoint: null });

      assert.deepEqual(problems, [
        "Input repository: with noPush and no containerRegistry, 'team/web' must start with its registry host, such as myregistry.azurecr.io/team/web. Write the host in front, or select a registry connection.",
      ]);
    });

    it('takes Docker Hub from the repository', () => {
      const settings = parse({ noPush: 'true', containerRegistry: '', repository: 'index.docker.io/team/web' }, { registryEndpoint: null });

      assert.equal(settings.registry.host, 'docker.io');
      assert.equal(settings.image.repository, 'docker.io/team/web');
    });

    it('needs no tags', () => {
      assert.deepEqual(parse({ noPush: 'true', tags: '' }).image.tags, []);
    });

    it('a push still needs tags', () => {
      assert.deepEqual(problemsOf({ tags: '' }), ['Input tags: no tag was given. Enter at least one tag, such as $(Build.BuildId).']);
    });

    it('a push still needs the connection', () => {
      const problems = problemsOf({ containerRegistry: '', repository: 'myregistry.azurecr.io/team/web' }, { registryEndpoint: null });

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], /^Input containerRegistry: no service connection was given/);
    });

    it('base images of the registry need a connection', () => {
      writeTree(root(), { Dockerfile: 'FROM myregistry.azurecr.io/base/python:3.12\n' });
      const problems = problemsOf({ noPush: 'true', containerRegistry: '', repository: 'myregistry.azurecr.io/team/web' }, { registryEndpoint: null });

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], /myregistry\.azurecr\.io\/base\/python:3\.12/);
    });

    it('base image connection for the registry is kept', () => {
      writeTree(root(), { Dockerfile: 'FROM myregistry.azurecr.io/base/python:3.12\n' });
      const pullConnection = { id: 'acr-pull', endpoint: { ...usernamePasswordEndpoint('https://myregistry.azurecr.io'), input: 'baseImageRegistries', id: 'acr-pull' } };
      const settings = parse({
        noPush: 'true', containerRegistry: '', repository: 'myregistry.azurecr.io/team/web', baseImageRegistries: 'acr-pull',
      }, { registryEndpoint: null, baseImageEndpoints: [pullConnection] });

      assert.deepEqual(settings.pullRegistries.map((registry) => registry.host), ['myregistry.azurecr.io']);
    });

    it('cache needs credentials without a connection', () => {
      const problems = problemsOf({ noPush: 'true', cache: 'true', containerRegistry: '', repository: 'myregistry.azurecr.io/team/web' }, {
        registryEndpoint: null,
      });

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], /^Input cacheRepository: the task has no credentials for registry myregistry\.azurecr\.io/);
    });
  });
});
