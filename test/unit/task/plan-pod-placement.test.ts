// The kaniko pod's placement, ephemeral storage and pod template merge.
import { strict as assert } from 'node:assert';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { buildPlan } from '../../../tasks/KanikoBuildV1/src/plan/plan';
import { KANIKO_CONTAINER } from '../../../tasks/KanikoBuildV1/src/plan/pod';
import type { PodSettings } from '../../../tasks/KanikoBuildV1/src/settings/types';
import { sampleSettings } from './support/settings';

function podFor(pod: Partial<PodSettings>, delivery: 'sasDownload' | 'accountKey' = 'accountKey'): V1Pod {
  const settings = sampleSettings({ pod });
  settings.context.delivery = delivery;
  return buildPlan(settings, 'abcd1234').pod;
}

function kaniko(pod: V1Pod): V1Container {
  const container = pod.spec?.containers.find((candidate) => candidate.name === KANIKO_CONTAINER);
  assert.ok(container, 'no kaniko container');
  return container;
}

describe('plan: pod placement', () => {
  it('no placement settings add no fields', () => {
    const pod = podFor({});

    assert.equal(pod.spec?.nodeSelector, undefined);
    assert.equal(pod.spec?.tolerations, undefined);
    assert.equal(kaniko(pod).resources?.limits?.['ephemeral-storage'], undefined);
    assert.equal(kaniko(pod).resources?.requests?.['ephemeral-storage'], undefined);
  });

  it('node selector and tolerations go into the spec', () => {
    const tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'builds', effect: 'NoSchedule' }];
    const pod = podFor({ nodeSelector: { agentpool: 'builds' }, tolerations });

    assert.deepEqual(pod.spec?.nodeSelector, { agentpool: 'builds' });
    assert.deepEqual(pod.spec?.tolerations, tolerations);
  });

  const storage: [string, { requests: object; limits: object }, object, object][] = [
    ['limit only', { requests: {}, limits: { ephemeralStorage: '20Gi' } }, { 'ephemeral-storage': '20Gi' }, { 'ephemeral-storage': '20Gi' }],
    ['request only', { requests: { ephemeralStorage: '5Gi' }, limits: {} }, { 'ephemeral-storage': '5Gi' }, {}],
    ['both', { requests: { ephemeralStorage: '5Gi' }, limits: { ephemeralStorage: '20Gi' } }, { 'ephemeral-storage': '5Gi' }, { 'ephemeral-storage': '20Gi' }],
  ];
  for (const [name, resources, requests, limits] of storage) {
    it(`ephemeral storage with ${name}`, () => {
      const pod = podFor({
        resources: { requests: { ...resources.requests }, limits: { cpu: '1', memory: '1Gi', ...resources.limits } },
      });

      assert.deepEqual(kaniko(pod).resources, {
        requests: { cpu: '1', memory: '1Gi', ...requests },
        limits: { cpu: '1', memory: '1Gi', ...limits },
      });
    });
  }
});

describe('plan: pod template merge', () => {
  it('labels and annotations are added beside the task own', () => {
    const pod = podFor({ template: { labels: { team: 'web' }, annotations: { 'example.com/owner': 'web' } } });

    assert.equal(pod.metadata?.labels?.team, 'web');
    assert.equal(pod.metadata?.labels?.['app.kubernetes.io/managed-by'], 'kaniko-build-on-aks');
    assert.equal(pod.metadata?.annotations?.['example.com/owner'], 'web');
    assert.equal(pod.metadata?.annotations?.['kaniko-build-on-aks/repository'], 'myregistry.azurecr.io/team/web');
  });

  it('spec fields are taken and lists appended', () => {
    const pod = podFor({
      nodeSelector: { agentpool: 'builds' },
      tolerations: [{ key: 'dedicated', operator: 'Exists' }],
      template: {
        spec: {
          priorityClassName: 'builds',
          enableServiceLinks: true,
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          tolerations: [{ key: 'spot', operator: 'Exists' }],
          volumes: [{ name: 'certificates', configMap: { name: 'corporate-ca' } }],
        },
      },
    }, 'sasDownload');

    assert.equal(pod.spec?.priorityClassName, 'builds');
    assert.equal(pod.spec?.enableServiceLinks, true);
    assert.deepEqual(pod.spec?.nodeSelector, { 'kubernetes.io/os': 'linux', agentpool: 'builds' });
    assert.deepEqual(pod.spec?.tolerations?.map((toleration) => toleration.key), ['dedicated', 'spot']);
    assert.deepEqual(pod.spec?.volumes?.map((volume) => volume.name), ['docker-config', 'workspace', 'certificates']);
    assert.equal(pod.spec?.restartPolicy, 'Never');
    assert.equal(pod.spec?.initContainers?.length, 1);
  });

  it('kaniko container gets the template fields', () => {
    const pod = podFor({
      template: {
        kaniko: {
          securityContext: { runAsUser: 0 },
          env: [{ name: 'SSL_CERT_DIR', value: '/certificates' }],
          volumeMounts: [{ name: 'certificates', mountPath: '/certificates' }],
          resources: { limits: { 'nvidia.com/gpu': '1' } },
        },
      },
    });
    const container = kaniko(pod);

    assert.deepEqual(container.securityContext, { runAsUser: 0 });
    assert.equal(container.name, KANIKO_CONTAINER);
    assert.equal(container.image, 'ghcr.io/osscontainertools/kaniko:v1.28.3');
    assert.deepEqual(container.env?.map((variable) => variable.name), ['AZURE_STORAGE_ACCESS_KEY', 'SSL_CERT_DIR']);
    assert.deepEqual(container.volumeMounts?.map((mount) => mount.mountPath), ['/kaniko/.docker', '/certificates']);
    assert.deepEqual(container.resources?.limits, { 'nvidia.com/gpu': '1', cpu: '1', memory: '1Gi' });
    assert.deepEqual(container.resources?.requests, { cpu: '1', memory: '1Gi' });
  });

  it('plan does not share objects with the template', () => {
    const template = { spec: { tolerations: [{ key: 'spot', operator: 'Exists' }] } };
    const pod = podFor({ template });
    pod.spec!.tolerations![0].key = 'changed';

    assert.equal(template.spec.tolerations[0].key, 'spot');
  });
});
