// Base images from private registries, through the bundled task: credentials from the base image
// registry connections, and the check before anything is created.
import * as assert from 'node:assert/strict';
import { sharedStandIns } from '../stand-ins';
import { assertNoSecretInOutput, assertNothingLeft, containerExists, errors, runBuild } from './harness';

const BASE_REGISTRY = 'baseimages.azurecr.io';
const BASE_CONNECTION = '0b9c8d7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e';
const BASE_USER = 'base-puller';
const BASE_PASSWORD = 'base-registry-password-5678';
const OTHER_PRIVATE_REGISTRY = 'private.registry.stand-in.test';

describe('KanikoBuild base image registries', function () {
  this.timeout(120_000);

  before(async () => {
    const { cluster } = await sharedStandIns();
    cluster.addRegistry(BASE_REGISTRY, { username: BASE_USER, password: BASE_PASSWORD });
    cluster.addRegistry(OTHER_PRIVATE_REGISTRY, { username: 'other', password: 'other-registry-password-9012' });
  });

  const baseConnection = {
    url: `https://${BASE_REGISTRY}`,
    scheme: 'UsernamePassword',
    parameters: { registry: `https://${BASE_REGISTRY}`, username: BASE_USER, password: BASE_PASSWORD },
  };

  it('pulls a private base image with its connection', async () => {
    const build = await runBuild({
      files: { Dockerfile: `ARG BASE_REGISTRY=${BASE_REGISTRY}\nFROM \${BASE_REGISTRY}/python:3.12\nRUN echo private base\n` },
      inputs: { baseImageRegistries: BASE_CONNECTION },
      extraEndpoints: { [BASE_CONNECTION]: baseConnection },
    });
    build.secrets.push(BASE_PASSWORD);

    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.ok(build.run.log.join('\n').includes(`Retrieving image manifest ${BASE_REGISTRY}/python:3.12`), 'kaniko did not pull the base image');
    assert.ok(!build.run.log.join('\n').includes('without credentials'), 'a private registry was reported as pulled without credentials');
    await assertNothingLeft(build);
    assertNoSecretInOutput(build);
  });

  it('private ACR base without a connection fails first', async () => {
    const build = await runBuild({
      files: { Dockerfile: `FROM alpine:3.20 AS tools\nFROM ${BASE_REGISTRY}/python:3.12\nCOPY --from=tools /bin/sh /bin/sh\n` },
    });

    assert.equal(build.run.result, 'Failed');
    assert.match(errors(build.run), new RegExp(`Dockerfile Dockerfile, line 2: the image ${BASE_REGISTRY}/python:3\\.12 is on ${BASE_REGISTRY}, a private registry`));
    assert.match(errors(build.run), /baseImageRegistries/);
    assert.equal(build.record, undefined, 'a pod was created');
    assert.equal(await containerExists(build), false, 'the context was uploaded');
    await assertNothingLeft(build);
  });

  it('reports images pulled without credentials', async () => {
    const build = await runBuild({
      files: { Dockerfile: 'FROM alpine:3.20\nCOPY --from=ghcr.io/org/tool:1 /tool /tool\n' },
    });

    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.ok(build.run.log.join('\n').includes('kaniko pulls these images without credentials: docker.io (alpine:3.20), ghcr.io (ghcr.io/org/tool:1).'),
      build.run.log.join('\n'));
    await assertNothingLeft(build);
  });

  it('other private registry fails in kaniko', async () => {
    const build = await runBuild({
      files: { Dockerfile: `FROM ${OTHER_PRIVATE_REGISTRY}/base:1\nRUN echo never\n` },
    });

    assert.equal(build.run.result, 'Failed');
    assert.ok(build.record, 'no pod ran');
    assert.match(build.run.log.join('\n'), new RegExp(`error building image: GET https://${OTHER_PRIVATE_REGISTRY.replace(/\./g, '\\.')}/oauth2/token\\?scope=repository%3Abase%3Apull.*UNAUTHORIZED`));
    await assertNothingLeft(build);
  });

  it('unknown base image connection fails first', async () => {
    const build = await runBuild({
      inputs: { baseImageRegistries: `${BASE_CONNECTION}, 1a2b3c4d-0000-4000-8000-000000000000` },
      extraEndpoints: { [BASE_CONNECTION]: baseConnection },
    });

    assert.equal(build.run.result, 'Failed');
    assert.match(errors(build.run), /Input baseImageRegistries: the agent gave this task no service connection with the id '1a2b3c4d-0000-4000-8000-000000000000'/);
    assert.equal(build.record, undefined, 'a pod was created');
    await assertNothingLeft(build);
  });
});
