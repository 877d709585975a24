// parseSettings with the kaniko option inputs: cache and labels.
import { strict as assert } from 'node:assert';
import { parseSettings } from '../../../tasks/KanikoBuildV1/src/settings/parse';
import type { RawInputs } from '../../../tasks/KanikoBuildV1/src/settings/raw';
import type { Settings } from '../../../tasks/KanikoBuildV1/src/settings/types';
import { rawRun, settingsProblems, SOURCE_VERSION, usernamePasswordEndpoint, type RunChanges } from './support/raw-run';
import { useTempDir, writeTree } from './support/temp-dir';

const SOURCE = 'https://dev.azure.example.test/fabrikam/Fabrikam%20Web/_git/web';
const HUB_CONNECTION = { id: 'hub-connection', endpoint: { ...usernamePasswordEndpoint('https://index.docker.io/v1/'), input: 'baseImageRegistries', id: 'hub-connection' } };

describe('settings: kaniko options', () => {
  const root = useTempDir();
  beforeEach(() => writeTree(root(), { Dockerfile: 'FROM alpine\n' }));
  const parse = (inputs: Partial<RawInputs>, changes: RunChanges = {}): Settings => parseSettings(rawRun(root(), { ...changes, inputs }));
  const kanikoOf = (inputs: Partial<RawInputs>, changes: RunChanges = {}) => parse(inputs, changes).kaniko;
  const problemsOf = (inputs: Partial<RawInputs>, changes: RunChanges = {}) => settingsProblems(rawRun(root(), { ...changes, inputs }));

  it('defaults add only the OCI labels', () => {
    assert.deepEqual(kanikoOf({}), {
      labels: [
        { key: 'org.opencontainers.image.source', value: SOURCE },
        { key: 'org.opencontainers.image.revision', value: SOURCE_VERSION },
      ],
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
        "Input labels: the line for '' is not KEY=VALUE with a KEY without spaces. Write one KEY=VALUE a line, such as org.opencontainers.image.title=web.",
        "Input labels: the line for 'sp ace' is not KEY=VALUE with a KEY without spaces. Write one KEY=VALUE a line, such as org.opencontainers.image.title=web.",
        'Input labels: ok appears more than once. Keep one line for it.',
      ]);
    });
  });

});
