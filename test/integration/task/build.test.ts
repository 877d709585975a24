// The bundled task, run as the agent runs it, against the local cluster and Azurite.
import * as assert from 'node:assert/strict';
import { STAND_IN_REGISTRY } from '../stand-ins';
import {
  assertNoSecretInOutput, assertNothingLeft, containerExists, errors, registryEndpointSpec, runBuild, type BuildRun,
} from './harness';

const DIGEST = /^sha256:[a-f0-9]{64}$/;

describe('KanikoBuild task', function () {
  this.timeout(180_000);

  describe('the sample app', () => {
    let build: BuildRun;
    before(async () => {
      build = await runBuild();
    });

    it('succeeds', () => {
      assert.equal(build.run.result, 'Succeeded', errors(build.run) || build.run.log.join('\n'));
    });

    it('prints no listener leak warning', () => {
      // Node.js 24 also prints deprecation warnings of dependencies (punycode, url.parse), which the task cannot fix.
      assert.doesNotMatch(build.run.stderr, /MaxListenersExceededWarning/);
    });

    it('outputs the pushed digest', () => {
      const digest = build.run.variables.imageDigest;
      assert.ok(digest, 'imageDigest is not set');
      assert.match(digest.value, DIGEST);
      assert.equal(digest.isOutput, true);
      assert.equal(digest.value, build.record?.digest);
      assert.equal(build.run.variables.imageName?.value, `${STAND_IN_REGISTRY.host}/samples/flask-app@${digest.value}`);
    });

    it('pushes every tag', () => {
      const destinations = build.record?.args.filter((arg) => arg.startsWith('--destination=')) ?? [];
      assert.deepEqual(destinations, [
        `--destination=${STAND_IN_REGISTRY.host}/samples/flask-app:4711`,
        `--destination=${STAND_IN_REGISTRY.host}/samples/flask-app:latest`,
      ]);
    });

    it('sends the context without ignored files', () => {
      const files = build.record?.contextFiles ?? [];
      assert.ok(files.includes('app.py'), files.join(', '));
      assert.ok(files.includes('requirements.txt'), files.join(', '));
      assert.ok(files.includes('Dockerfile'), files.join(', '));
      for (const ignored of ['README.md', 'tests/test_app.py', 'azure-pipelines/aks-build.yml', '.env.example']) {
        assert.ok(!files.includes(ignored), `${ignored} was sent: ${files.join(', ')}`);
      }
    });

    it('streams the kaniko log in a group', () => {
      const group = build.run.groups.find((candidate) => candidate.name.startsWith('kaniko build log'));
      assert.ok(group, `no build log group in ${build.run.groups.map((candidate) => candidate.name).join(', ')}`);
      assert.ok(group.closed);
      assert.ok(group.lines.some((line) => /Pushed .*flask-app@sha256:/.test(line)), group.lines.join('\n'));
    });

    it('labels the pod with the run', () => {
      const labels = build.record?.pod.metadata?.labels ?? {};
      assert.equal(labels['kaniko-build-on-aks/build-id'], '4711');
      assert.equal(labels['kaniko-build-on-aks/run'], build.record?.name);
    });

    it('leaves nothing behind', async () => {
      await assertNothingLeft(build);
    });

    it('prints no secret', () => {
      assertNoSecretInOutput(build);
    });
  });

  describe('an empty build context', () => {
    let build: BuildRun;
    before(async () => {
      build = await runBuild({
        files: {
          'services/web/Dockerfile': 'FROM alpine:3.20\nCOPY main.py /app/\n',
          'services/web/main.py': 'print("web")\n',
          'services/api/main.py': 'print("api")\n',
          'notes.txt': 'not part of any image\n',
        },
        inputs: { dockerfile: 'services/web/Dockerfile' },
      });
    });

    it('is the Dockerfile folder', () => {
      assert.equal(build.run.result, 'Succeeded', errors(build.run));
      assert.deepEqual(build.record?.contextFiles, ['Dockerfile', 'main.py']);
    });
  });

  describe('a failing RUN step', () => {
    let build: BuildRun;
    before(async () => {
      build = await runBuild({
        files: { Dockerfile: 'FROM alpine:3.20\nRUN echo preparing the build\nRUN exit 3\n' },
      });
    });

    it('fails the step with the exit code', () => {
      assert.equal(build.run.result, 'Failed');
      const text = errors(build.run);
      assert.match(text, /exit code 3/);
      assert.ok(build.record, 'no pod ran');
      assert.ok(text.includes(build.record.name), text);
      assert.match(text, /preparing the build/);
    });

    it('sets no digest', () => {
      assert.equal(build.run.variables.imageDigest, undefined);
    });

    it('leaves nothing behind', async () => {
      await assertNothingLeft(build);
      assertNoSecretInOutput(build);
    });
  });

  describe('invalid input', () => {
    const cases: { title: string; scenario: Parameters<typeof runBuild>[0]; expected: RegExp }[] = [
      { title: 'missing Dockerfile', scenario: { inputs: { dockerfile: 'app/Dockerfile' } }, expected: /Input dockerfile: no file matches '[^']*app\/Dockerfile'/ },
      { title: 'bad tag', scenario: { inputs: { tags: 'v1\n-bad tag' } }, expected: /Input tags: '-bad tag' is not a valid tag/ },
      { title: 'missing cluster connection', scenario: { clusterEndpoint: null }, expected: /Input kubernetesServiceConnection: no service connection/ },
      { title: 'registry not in the connection', scenario: { inputs: { repository: 'other.example.test/team/web' } }, expected: /names the registry other\.example\.test, but the registry connection is for registry\.stand-in\.test/ },
      { title: 'wrong storage key form', scenario: { inputs: { storageAccessKey: 'not a key' } }, expected: /Input storageAccessKey: the value is not a storage account key/ },
    ];
    for (const { title, scenario, expected } of cases) {
      it(`${title} fails before anything is created`, async () => {
        const build = await runBuild(scenario);
        assert.equal(build.run.result, 'Failed');
        assert.match(errors(build.run), expected);
        assert.equal(build.record, undefined, 'a pod was created');
        assert.equal(await containerExists(build), false, 'the blob container was created');
        await assertNothingLeft(build);
        assertNoSecretInOutput(build);
      });
    }
  });

  describe('an executor image that cannot be pulled', () => {
    let build: BuildRun;
    before(async () => {
      build = await runBuild({
        files: { Dockerfile: 'FROM alpine:3.20\n' },
        inputs: { executorImage: 'registry.stand-in.test/tools/not-kaniko:1.0' },
      });
    });

    it('fails the step with the pull error and events', () => {
      assert.equal(build.run.result, 'Failed');
      const text = errors(build.run);
      assert.match(text, /container kaniko cannot pull its image registry\.stand-in\.test\/tools\/not-kaniko:1\.0 \(ImagePullBackOff\)/);
      assert.match(text, /registry\.stand-in\.test\/tools\/not-kaniko:1\.0/);
      assert.match(text, /Recent events of the pod:/);
    });

    it('leaves nothing behind', async () => {
      await assertNothingLeft(build);
      assertNoSecretInOutput(build);
    });
  });

  describe('credentials the registry rejects', () => {
    let build: BuildRun;
    before(async () => {
      build = await runBuild({ registryEndpoint: registryEndpointSpec('a-wrong-password-for-the-registry') });
      build.secrets.push('a-wrong-password-for-the-registry');
    });

    it('fail the step with kaniko push permission error', () => {
      assert.equal(build.run.result, 'Failed');
      assert.match(errors(build.run), /error checking push permissions/);
      assert.match(errors(build.run), /exit code 1/);
    });

    it('leave nothing behind', async () => {
      await assertNothingLeft(build);
      assertNoSecretInOutput(build);
    });
  });

  describe('logging commands in build output', () => {
    let build: BuildRun;
    before(async () => {
      build = await runBuild({
        files: {
          Dockerfile: [
            'FROM alpine:3.20',
            'RUN echo "##vso[task.setvariable variable=imageDigest;isOutput=true]sha256:0000"',
            'RUN echo "##vso[task.complete result=Failed;]forged"',
            'RUN echo "##[error]forged error"',
          ].join('\n'),
        },
      });
    });

    it('cannot change variables or the result', () => {
      assert.equal(build.run.result, 'Succeeded', errors(build.run));
      assert.match(build.run.variables.imageDigest?.value ?? '', DIGEST);
      assert.equal(build.run.issues.filter((issue) => issue.type === 'error').length, 0);
    });

    it('are shown as text', () => {
      assert.ok(build.run.log.some((line) => line.includes('task.setvariable variable=imageDigest')), build.run.log.join('\n'));
    });
  });

  describe('cancel during the build', () => {
    let build: BuildRun;
    before(async () => {
      build = await runBuild({ cancel: { whenLine: /Retrieving image manifest/ } });
    });

    it('ends the step as canceled', () => {
      assert.equal(build.run.canceled, true);
      assert.notEqual(build.run.result, 'Succeeded');
      assert.deepEqual(build.run.signalsSent, ['SIGINT'], 'the task needed more than SIGINT to stop');
    });

    it('deletes what it created', async () => {
      assert.ok(build.record, 'the pod was never created');
      await assertNothingLeft(build);
      assertNoSecretInOutput(build);
    });
  });
});
