// Registry kinds and parallel runs, through the bundled task.
import * as assert from 'node:assert/strict';
import { sharedStandIns, STAND_IN_REGISTRY } from '../stand-ins';
import { assertNoSecretInOutput, assertNothingLeft, errors, runBuild } from './harness';

describe('KanikoBuild registries and parallel runs', function () {
  this.timeout(120_000);

  it('Docker Hub credentials use the index key', async () => {
    const build = await runBuild({
      files: { Dockerfile: 'FROM alpine:3.20\nRUN echo hub\n' },
      inputs: { repository: 'hubuser/web' },
      registryEndpoint: {
        url: 'https://index.docker.io/v1/',
        scheme: 'UsernamePassword',
        parameters: { registry: 'https://index.docker.io/v1/', username: 'hubuser', password: 'docker-hub-access-token-1234' },
      },
    });
    build.secrets.push('docker-hub-access-token-1234');
    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.ok(build.record, 'no pod ran');
    assert.ok(build.record.args.includes('--destination=docker.io/hubuser/web:4711'), build.record.args.join(' '));
    assert.match(build.run.variables.imageName?.value ?? '', /^docker\.io\/hubuser\/web@sha256:/);
    await assertNothingLeft(build);
    assertNoSecretInOutput(build);
  });

  it('Azure Container Registry with a service principal', async () => {
    const build = await runBuild({
      files: { Dockerfile: 'FROM alpine:3.20\nRUN echo acr\n' },
      registryEndpoint: {
        url: `https://${STAND_IN_REGISTRY.host}`,
        scheme: 'ServicePrincipal',
        // The stand-in registry accepts the service principal's id and secret as user name and password, as ACR does.
        parameters: {
          loginServer: STAND_IN_REGISTRY.host,
          serviceprincipalid: STAND_IN_REGISTRY.username,
          serviceprincipalkey: STAND_IN_REGISTRY.password,
          tenantId: '72f988bf-0000-4000-8000-000000000000',
        },
        data: { registrytype: 'ACR' },
      },
    });
    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.match(build.run.variables.imageName?.value ?? '', new RegExp(`^${STAND_IN_REGISTRY.host}/samples/flask-app@sha256:`));
    await assertNothingLeft(build);
    assertNoSecretInOutput(build);
  });

  it('parallel runs in one namespace do not collide', async () => {
    const { cluster } = await sharedStandIns();
    const namespace = 'parallel-builds';
    cluster.createNamespace(namespace);
    const builds = await Promise.all([1, 2, 3].map((index) => runBuild({
      namespace,
      files: { Dockerfile: `FROM alpine:3.20\nRUN echo build ${index}\n` },
    })));
    for (const build of builds) {
      assert.equal(build.run.result, 'Succeeded', errors(build.run));
      assertNoSecretInOutput(build);
    }
    const podNames = new Set(builds.map((build) => build.record?.name));
    assert.equal(podNames.size, 3, `pod names: ${[...podNames].join(', ')}`);
    const digests = new Set(builds.map((build) => build.run.variables.imageDigest?.value));
    assert.equal(digests.size, 3, 'each build reports its own digest');
    for (const build of builds) await assertNothingLeft(build);
  });
});
