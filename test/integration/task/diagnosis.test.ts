// Failure messages of the bundled task for each failure the local cluster can produce: each names
// the pod, the container, the reason and a fix. The builds run in parallel, because one of them
// waits a whole minute for the scheduler.
import * as assert from 'node:assert/strict';
import { assertNoSecretInOutput, assertNothingLeft, errors, registryEndpointSpec, runBuild, type BuildRun, type BuildScenario } from './harness';

const SMALL_BUILD = { Dockerfile: 'FROM alpine:3.20\nRUN echo diagnosing\n' };
/** Small enough that every build of this file fits on the local node at once. */
const SMALL_POD = { cpuLimit: '250m', memoryLimit: '512Mi' };
const WRONG_PASSWORD = 'a-wrong-password-for-the-diagnosis-test';

const SCENARIOS = {
  unknownExecutor: { files: SMALL_BUILD, inputs: { ...SMALL_POD, executorImage: 'registry.stand-in.test/tools/not-kaniko:1.0' } },
  unknownDownload: { files: SMALL_BUILD, inputs: { ...SMALL_POD, downloadImage: 'registry.stand-in.test/mirror/curl:8.20.0' } },
  unschedulable: { files: SMALL_BUILD, inputs: { cpuLimit: '64', schedulingTimeoutInMinutes: '1' } },
  failingRun: { files: { Dockerfile: 'FROM alpine:3.20\nRUN echo preparing\nRUN exit 3\n' }, inputs: SMALL_POD },
  badCredentials: { files: SMALL_BUILD, inputs: SMALL_POD, registryEndpoint: registryEndpointSpec(WRONG_PASSWORD) },
  badCredentialsOldKaniko: {
    files: SMALL_BUILD, inputs: { ...SMALL_POD, executorImage: 'gcr.io/kaniko-project/executor:v1.24.0' }, registryEndpoint: registryEndpointSpec(WRONG_PASSWORD),
  },
  missingBlob: { files: SMALL_BUILD, inputs: { ...SMALL_POD, executorImage: 'gcr.io/kaniko-project/executor:v1.23.0', contextDelivery: 'accountKey' } },
} satisfies Record<string, BuildScenario>;

type ScenarioName = keyof typeof SCENARIOS;

describe('KanikoBuild failure diagnosis', function () {
  this.timeout(180_000);
  const builds = {} as Record<ScenarioName, BuildRun>;

  before(async () => {
    const names = Object.keys(SCENARIOS) as ScenarioName[];
    const runs = await Promise.all(names.map((name) => runBuild(SCENARIOS[name])));
    names.forEach((name, index) => {
      builds[name] = runs[index];
      if (name.startsWith('badCredentials')) builds[name].secrets.push(WRONG_PASSWORD);
    });
  });

  /** Returns the step's error and checks what every failure message has: the result and the pod's name. */
  function failure(name: ScenarioName): string {
    const build = builds[name];
    const text = errors(build.run);
    assert.equal(build.run.result, 'Failed', text);
    assert.match(text, new RegExp(`pod ${build.namespace}/kaniko-4711-[0-9a-f]{8}`), text);
    return text;
  }

  it('unknown executor image names the image, the kubelet and the input', () => {
    const text = failure('unknownExecutor');

    assert.match(text, /container kaniko cannot pull its image registry\.stand-in\.test\/tools\/not-kaniko:1\.0 \(ImagePullBackOff\)/);
    assert.match(text, /The kubelet reported: Failed to pull image "registry\.stand-in\.test\/tools\/not-kaniko:1\.0": rpc error: code = NotFound/);
    assert.match(text, /Check the image name and tag in the input executorImage/);
    assert.ok(builds.unknownExecutor.run.durationMs < 30_000, `took ${builds.unknownExecutor.run.durationMs} ms`);
  });

  it('unknown download image names downloadImage', () => {
    const text = failure('unknownDownload');

    assert.match(text, /container download-context cannot pull its image registry\.stand-in\.test\/mirror\/curl:8\.20\.0 \(ImagePullBackOff\)/);
    assert.match(text, /input downloadImage/);
  });

  it('unschedulable pod fails after the scheduling timeout', () => {
    const text = failure('unschedulable');
    const { run } = builds.unschedulable;

    assert.match(text, /could not be scheduled within 1 minute\(s\) \(input schedulingTimeoutInMinutes\)/);
    assert.match(text, /The scheduler reported: 0\/1 nodes are available: 1 Insufficient cpu/);
    assert.match(text, /Lower the inputs cpuRequest, memoryRequest and ephemeralStorageRequest/);
    assert.match(text, /Warning FailedScheduling: 0\/1 nodes are available/);
    assert.ok(run.log.some((line) => /does not fit on any node yet\. The step fails if it still does not fit after 1 minute\(s\)/.test(line)), run.log.join('\n'));
    assert.ok(run.durationMs >= 60_000, `failed early, after ${run.durationMs} ms`);
    assert.ok(run.durationMs < 100_000, `failed late, after ${run.durationMs} ms`);
  });

  it('failing RUN step quotes kaniko and the exit code', () => {
    const text = failure('failingRun');

    assert.match(text, /container kaniko terminated with exit code 3 \(reason Error\)/);
    assert.match(text, /kaniko reported: error building image: .*exit status 3/);
    assert.match(text, /A RUN step of the Dockerfile exited with code 3/);
    assert.match(text, /Last lines of the build log:\n[^]*preparing/);
  });

  it('rejected credentials point at push rights', () => {
    const text = failure('badCredentials');

    assert.match(text, /exit code 1 \(reason Error\)/);
    assert.match(text, /kaniko reported: error checking push permissions: checking push permission for "registry\.stand-in\.test\/samples\/flask-app:4711"/);
    assert.match(text, /The registry did not accept kaniko's credentials for the push/);
  });

  it('rejected credentials on old kaniko are recognised too', () => {
    const text = failure('badCredentialsOldKaniko');

    assert.match(text, /kaniko reported: error checking push permissions -- make sure you entered the correct tag name/);
    assert.match(text, /The registry did not accept kaniko's credentials for the push/);
  });

  it('missing blob points at the kaniko release', () => {
    const text = failure('missingBlob');

    assert.match(text, /kaniko reported: Error: error resolving source context: HEAD https:\/\/devstoreaccount1\.blob\.core\.windows\.net\/[^]*ERROR CODE: BlobNotFound\n/);
    assert.match(text, /v1\.25\.4 or later/);
  });

  it('every failed build leaves nothing behind', async () => {
    for (const build of Object.values(builds)) {
      await assertNothingLeft(build);
      assertNoSecretInOutput(build);
    }
  });
});
