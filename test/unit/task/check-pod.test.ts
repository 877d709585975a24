// The dry-run create of a pod that a pod template shapes, against a fake ClusterApi.
import { strict as assert } from 'node:assert';
import { ApiException, type V1Pod } from '@kubernetes/client-node';
import type { ClusterApi } from '../../../tasks/KanikoBuildV1/src/kubernetes/client';
import { checkPodTemplate } from '../../../tasks/KanikoBuildV1/src/phases/check-pod';
import { buildPlan } from '../../../tasks/KanikoBuildV1/src/plan/plan';
import type { PodSettings } from '../../../tasks/KanikoBuildV1/src/settings/types';
import { sampleSettings } from './support/settings';
import { unusedClusterApi } from './support/unused-cluster-api';

const TEMPLATE = { spec: { priorityClassName: 'builds' } };

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

/** Returns a ClusterApi whose dryRunPod records the pod and then fails with `error`, or succeeds without one. */
function fakeApi(sent: V1Pod[], error?: Error): ClusterApi {
  return {
    ...unusedClusterApi('checkPodTemplate called a ClusterApi method other than dryRunPod'),
    dryRunPod: async (pod) => {
      sent.push(pod);
      if (error) throw error;
      return pod;
    },
  };
}

async function check(pod: Partial<PodSettings>, error?: Error): Promise<V1Pod[]> {
  const settings = sampleSettings({ pod });
  const plan = buildPlan(settings, 'abcd1234');
  const sent: V1Pod[] = [];
  await checkPodTemplate(fakeApi(sent, error), settings.pod, plan, new AbortController().signal);
  return sent;
}

describe('check: pod template dry run', () => {
  it('pod without a template is not sent', async () => {
    assert.deepEqual(await check({}), []);
  });

  it('namespace the run creates later is not sent to', async () => {
    assert.deepEqual(await check({ template: TEMPLATE, createNamespace: true }), []);
  });

  it('merged pod is sent', async () => {
    const sent = await check({ template: TEMPLATE });

    assert.equal(sent.length, 1);
    assert.equal(sent[0].spec?.priorityClassName, 'builds');
    assert.equal(sent[0].spec?.restartPolicy, 'Never');
  });

  for (const [code, reason] of [[422, 'Invalid'], [400, 'BadRequest'], [403, 'Forbidden']] as const) {
    it(`rejection with ${code} fails the step`, async () => {
      const message = 'pods "kaniko-1234-abcd1234" is forbidden: violates PodSecurity "restricted:latest"';
      const error = new ApiException(code, 'rejected', status(code, reason, message), {});

      await assert.rejects(check({ template: TEMPLATE }, error), (thrown: Error) => {
        assert.equal(thrown.message,
          `The cluster rejects the build pod, with the pod template merged in, in a dry run: HTTP ${code} ${reason}: ${message}. `
          + 'Check the input podTemplate against this message. Nothing was created.');
        return true;
      });
    });
  }

  it('webhook without dry-run support leaves the verdict to the create', async () => {
    const message = 'admission webhook "sidecar.example.com" does not support dry run';
    const error = new ApiException(400, 'rejected', status(400, 'BadRequest', message), {});

    assert.equal((await check({ template: TEMPLATE }, error)).length, 1);
  });

  it('server error leaves the verdict to the create', async () => {
    const error = new ApiException(503, 'unavailable', status(503, 'ServiceUnavailable', 'try later'), {});

    assert.equal((await check({ template: TEMPLATE }, error)).length, 1);
  });
});

describe('check: pod template fields', () => {
  it('misspelt fields fail before the dry run', async () => {
    const template = { spec: { priorityClass: 'builds' }, kaniko: { imagePullPolcy: 'Always' } } as PodSettings['template'];

    await assert.rejects(check({ template }), (thrown: Error) => {
      assert.match(thrown.message, /would be dropped: spec\.containers\[0\]\.imagePullPolcy, spec\.priorityClass\. Check the spelling/);
      return true;
    });
  });

  it('misspelt fields fail in a namespace the run creates', async () => {
    const template = { labels: { team: 'web' }, spec: { affinity: { nodeAfinity: {} } } } as PodSettings['template'];

    await assert.rejects(check({ template, createNamespace: true }), /would be dropped: spec\.affinity\.nodeAfinity\./);
  });

  it('known fields at every depth pass', async () => {
    const template = {
      spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [] }] } } } },
      kaniko: { securityContext: { capabilities: { add: ['SETUID'] } }, env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }] },
    } as PodSettings['template'];

    assert.equal((await check({ template })).length, 1);
  });
});
