// parseSettings with base image registry connections, and the check that every private registry
// the build pulls from has credentials.
import { strict as assert } from 'node:assert';
import { parseSettings } from '../../../tasks/KanikoBuildV1/src/settings/parse';
import type { RawEndpoint } from '../../../tasks/KanikoBuildV1/src/settings/raw';
import { acrEndpoint, rawRun, settingsProblems, usernamePasswordEndpoint } from './support/raw-run';
import { useTempDir, writeTree } from './support/temp-dir';

/** Returns `endpoint` as the connection `id` of the baseImageRegistries input. */
function baseConnection(id: string, endpoint: RawEndpoint): { id: string; endpoint: RawEndpoint } {
  return { id, endpoint: { ...endpoint, input: 'baseImageRegistries', id } };
}

describe('settings: base image registries', () => {
  const root = useTempDir();

  function withDockerfile(text: string): void {
    writeTree(root(), { Dockerfile: text });
  }

  it('public base images need no connection', () => {
    withDockerfile('FROM python:3.12-slim AS build\nFROM mcr.microsoft.com/dotnet/runtime:8\nCOPY --from=build /a /a\n');
    const settings = parseSettings(rawRun(root()));

    assert.deepEqual(settings.pullRegistries, []);
    assert.deepEqual(settings.anonymousPulls, [
      { registry: 'docker.io', image: 'python:3.12-slim' },
      { registry: 'mcr.microsoft.com', image: 'mcr.microsoft.com/dotnet/runtime:8' },
    ]);
  });

  it('private ACR base without credentials fails', () => {
    withDockerfile('ARG REGISTRY=baseimages.azurecr.io\nFROM ${REGISTRY}/python:3.12\n');
    const problems = settingsProblems(rawRun(root()));

    assert.equal(problems.length, 1);
    assert.match(problems[0], /^Dockerfile Dockerfile, line 2: the image baseimages\.azurecr\.io\/python:3\.12 is on baseimages\.azurecr\.io, a private registry/);
    assert.match(problems[0], /baseImageRegistries/);
  });

  it('private ECR base without credentials fails', () => {
    withDockerfile('FROM 123456789012.dkr.ecr.eu-west-1.amazonaws.com/base:1\n');
    const problems = settingsProblems(rawRun(root()));

    assert.equal(problems.length, 1);
    assert.match(problems[0], /123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com, a private registry/);
  });

  it('each private registry is reported once', () => {
    withDockerfile('FROM one.azurecr.io/a AS a\nFROM one.azurecr.io/b AS b\nFROM two.azurecr.io/c\nCOPY --from=a / /\nCOPY --from=b / /\n');
    const problems = settingsProblems(rawRun(root()));

    assert.equal(problems.length, 2);
    assert.match(problems[0], /line 1: the image one\.azurecr\.io\/a is on one\.azurecr\.io/);
    assert.match(problems[1], /line 3: the image two\.azurecr\.io\/c is on two\.azurecr\.io/);
  });

  it('anonymous pull registry needs no connection', () => {
    withDockerfile('FROM vendorimages.azurecr.io/runtime:2\n');
    const settings = parseSettings(rawRun(root(), { inputs: { anonymousPullRegistries: 'other.azurecr.io, https://VendorImages.azurecr.io/' } }));

    assert.deepEqual(settings.anonymousPulls, [{ registry: 'vendorimages.azurecr.io', image: 'vendorimages.azurecr.io/runtime:2' }]);
  });

  it('anonymous pull registry must be a host', () => {
    withDockerfile('FROM alpine\n');
    const problems = settingsProblems(rawRun(root(), { inputs: { anonymousPullRegistries: 'vendorimages.azurecr.io/runtime' } }));

    assert.deepEqual(problems, [
      "Input anonymousPullRegistries: 'vendorimages.azurecr.io/runtime' is not a registry host. Write host names such as vendorimages.azurecr.io, separated by commas; wildcards and paths are not allowed.",
    ]);
  });

  for (const value of ['*.azurecr.io', 'vendor images', 'a.azurecr.io;b.azurecr.io', 'https://']) {
    it(`anonymous pull registry '${value}' is rejected`, () => {
      withDockerfile('FROM alpine\n');
      const problems = settingsProblems(rawRun(root(), { inputs: { anonymousPullRegistries: value } }));

      assert.equal(problems.length, 1);
      assert.match(problems[0], /^Input anonymousPullRegistries: '.+' is not a registry host/);
    });
  }

  it('anonymous pull registry gets no helper with workload identity', () => {
    withDockerfile('FROM vendorimages.azurecr.io/runtime:2\n');
    const run = rawRun(root(), {
      inputs: {
        registryCredentials: 'workloadIdentity', serviceAccount: 'kaniko-builder', repository: 'myregistry.azurecr.io/team/web',
        anonymousPullRegistries: 'vendorimages.azurecr.io',
      },
      registryEndpoint: null,
    });

    assert.deepEqual(parseSettings(run).pullRegistries, []);
  });

  it('push registry covers its own base images', () => {
    withDockerfile('FROM myregistry.azurecr.io/base/python:3.12\n');
    const settings = parseSettings(rawRun(root(), { registryEndpoint: acrEndpoint('myregistry.azurecr.io') }));

    assert.deepEqual(settings.pullRegistries, []);
    assert.deepEqual(settings.anonymousPulls, []);
  });

  it('base image connection covers its registry', () => {
    withDockerfile('FROM baseimages.azurecr.io/python:3.12\nCOPY --from=ghcr.io/org/tool:1 /tool /tool\n');
    const run = rawRun(root(), {
      baseImageEndpoints: [baseConnection('base-acr', acrEndpoint('baseimages.azurecr.io'))],
    });
    const settings = parseSettings(run);

    assert.deepEqual(settings.pullRegistries.map((registry) => [registry.connectionName, registry.host, registry.authKey]),
      [['base-acr', 'baseimages.azurecr.io', 'baseimages.azurecr.io']]);
    assert.deepEqual(settings.anonymousPulls, [{ registry: 'ghcr.io', image: 'ghcr.io/org/tool:1' }]);
  });

  it('Docker Hub base image connection uses the index key', () => {
    withDockerfile('FROM team/private-base:1\n');
    const run = rawRun(root(), { baseImageEndpoints: [baseConnection('hub', usernamePasswordEndpoint('https://index.docker.io/v1/'))] });
    const settings = parseSettings(run);

    assert.equal(settings.pullRegistries[0].host, 'docker.io');
    assert.equal(settings.pullRegistries[0].authKey, 'https://index.docker.io/v1/');
    assert.deepEqual(settings.anonymousPulls, []);
  });

  it('unused stage needs no credentials', () => {
    withDockerfile('FROM private.azurecr.io/tests:1 AS test\nFROM alpine:3.20 AS final\n');

    assert.doesNotThrow(() => parseSettings(rawRun(root())));
    assert.equal(settingsProblems(rawRun(root(), { inputs: { target: 'test' } })).length, 1);
  });

  it('connection for the push registry is left out', () => {
    withDockerfile('FROM alpine\n');
    const run = rawRun(root(), { baseImageEndpoints: [baseConnection('same', acrEndpoint('myregistry.azurecr.io'))] });

    assert.deepEqual(parseSettings(run).pullRegistries, []);
  });

  it('two connections for one registry fail', () => {
    withDockerfile('FROM alpine\n');
    const run = rawRun(root(), {
      baseImageEndpoints: [
        baseConnection('first', acrEndpoint('baseimages.azurecr.io')),
        baseConnection('second', usernamePasswordEndpoint('baseimages.azurecr.io')),
      ],
    });
    const problems = settingsProblems(run);

    assert.deepEqual(problems, [
      'Input baseImageRegistries: the connections first and second are both for registry baseimages.azurecr.io, and kaniko can use only one set of credentials for a registry. Keep one of them.',
    ]);
  });

  it('connection the agent did not pass fails', () => {
    withDockerfile('FROM alpine\n');
    const problems = settingsProblems(rawRun(root(), { baseImageEndpoints: [{ id: 'f0e1d2c3-unknown' }] }));

    assert.equal(problems.length, 1);
    assert.match(problems[0], /^Input baseImageRegistries: the agent gave this task no service connection with the id 'f0e1d2c3-unknown'/);
  });

  it('base connection problems name the input', () => {
    withDockerfile('FROM alpine\n');
    const broken = baseConnection('broken', usernamePasswordEndpoint('registry.example.test'));
    broken.endpoint.parameters = { ...broken.endpoint.parameters, password: undefined };
    const problems = settingsProblems(rawRun(root(), { baseImageEndpoints: [broken] }));

    assert.deepEqual(problems, ['Input baseImageRegistries: the connection for registry registry.example.test has no user name or password. Edit the connection and enter its credentials.']);
  });

  it('unresolved image variable fails', () => {
    withDockerfile('ARG BASE\nFROM $BASE\n');
    const problems = settingsProblems(rawRun(root()));

    assert.equal(problems.length, 1);
    assert.match(problems[0], /^Dockerfile .*Dockerfile, line 2: the image '\$BASE' uses a variable that has no value/);
  });

  it('build argument sets an image variable', () => {
    withDockerfile('ARG BASE\nFROM $BASE\n');
    const settings = parseSettings(rawRun(root(), { inputs: { buildArguments: 'BASE=alpine:3.20' } }));

    assert.deepEqual(settings.build.pulledImages, [{ reference: 'alpine:3.20', line: 2 }]);
  });

  it('Dockerfile without FROM fails', () => {
    withDockerfile('RUN echo hi\n');
    const problems = settingsProblems(rawRun(root()));

    assert.equal(problems.length, 1);
    assert.match(problems[0], /has no FROM instruction/);
  });

  it('workload identity pulls from other ACR registries', () => {
    withDockerfile('FROM baseimages.azurecr.io/python:3.12\nCOPY --from=tools.azurecr.io/cli:1 /cli /cli\nCOPY --from=ghcr.io/org/tool:1 /t /t\n');
    const run = rawRun(root(), {
      inputs: { registryCredentials: 'workloadIdentity', serviceAccount: 'kaniko-builder', repository: 'myregistry.azurecr.io/team/web' },
      registryEndpoint: null,
      baseImageEndpoints: [baseConnection('tools', usernamePasswordEndpoint('tools.azurecr.io'))],
    });
    const settings = parseSettings(run);

    assert.deepEqual(settings.pullRegistries.map((registry) => [registry.host, registry.helper ?? 'auths']), [
      ['tools.azurecr.io', 'auths'],
      ['baseimages.azurecr.io', 'acr-env'],
    ]);
    assert.deepEqual(settings.anonymousPulls, [{ registry: 'ghcr.io', image: 'ghcr.io/org/tool:1' }]);
  });
});
