// The owner references on the run's Secrets need `patch` on secrets. Without it the build still
// succeeds and cleans up; the step warns that the Secrets are not owned by the pod.
import * as assert from 'node:assert/strict';
import { sharedStandIns } from '../stand-ins';
import { assertNothingLeft, errors, kubeconfigEndpoint, runBuild } from './harness';

describe('KanikoBuild owner references', function () {
  this.timeout(120_000);

  it('identity without patch on secrets warns', async () => {
    const standIns = await sharedStandIns();
    const token = standIns.cluster.addUser('no-patch', [
      { verbs: ['get', 'list', 'watch', 'create', 'delete'], resources: ['pods', 'pods/log', 'secrets', 'events'] },
    ]);
    const build = await runBuild({
      files: { Dockerfile: 'FROM alpine:3.20\nRUN echo owned or not\n' },
      clusterEndpoint: kubeconfigEndpoint(standIns, { kubeconfig: standIns.cluster.kubeconfig({ token }) }),
    });
    build.secrets.push(token);

    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    const warnings = build.run.issues.filter((issue) => issue.type === 'warning').map((issue) => issue.message);
    assert.equal(warnings.length, 3, warnings.join('\n'));
    assert.ok(warnings.some((warning) => /may not patch secrets in namespace .*Kubernetes cannot delete the Secrets together with the pod/
      .test(warning)), warnings.join('\n'));
    for (const suffix of ['registry', 'storage']) {
      assert.ok(warnings.some((warning) => new RegExp(
        `^Could not make Secret ${build.namespace}/kaniko-4711-[0-9a-f]+-${suffix} owned by pod kaniko-4711-[0-9a-f]+: HTTP 403 Forbidden: .*cannot patch resource "secrets"`,
      ).test(warning)), warnings.join('\n'));
    }
    await assertNothingLeft(build);
  });
});
