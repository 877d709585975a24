// The plan with createNamespace: the namespace's name, labels and where everything else goes.
import { strict as assert } from 'node:assert';
import { namespaceName } from '../../../tasks/KanikoBuildV1/src/plan/names';
import { buildPlan } from '../../../tasks/KanikoBuildV1/src/plan/plan';
import { sampleSettings } from './support/settings';

const DNS1123_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;

describe('plan: namespace per build', () => {
  const prefixes = ['kaniko', 'a', 'team-builds', 'x'.repeat(63), `${'y'.repeat(53)}-z`, `${'w'.repeat(54)}-tail`];
  for (const prefix of prefixes) {
    it(`name from prefix '${prefix.slice(0, 20)}' is a DNS-1123 label`, () => {
      const name = namespaceName(prefix, 'abcd1234');

      assert.ok(name.length <= 63, `${name} has ${name.length} characters`);
      assert.match(name, DNS1123_LABEL);
      assert.ok(name.endsWith('-abcd1234'), name);
      assert.ok(name.startsWith(prefix.slice(0, 10)), name);
    });
  }

  it('name keeps a short prefix whole', () => {
    assert.equal(namespaceName('kaniko', 'abcd1234'), 'kaniko-abcd1234');
  });

  it('plan creates the namespace with the run labels', () => {
    const plan = buildPlan(sampleSettings({ pod: { namespace: 'team-builds', createNamespace: true } }), 'abcd1234');

    assert.equal(plan.namespace, 'team-builds-abcd1234');
    assert.equal(plan.namespaceObject?.metadata?.name, 'team-builds-abcd1234');
    assert.deepEqual(plan.namespaceObject?.metadata?.labels, plan.labels);
    assert.equal(plan.namespaceObject?.metadata?.labels?.['kaniko-build-on-aks/job-id'], plan.labels['kaniko-build-on-aks/job-id']);
    assert.ok(plan.labels['kaniko-build-on-aks/job-id'], 'the run labels have no job id');
  });

  it('plan puts the Secrets and pod into the new namespace', () => {
    const plan = buildPlan(sampleSettings({ pod: { namespace: 'kaniko', createNamespace: true } }), 'abcd1234');

    assert.equal(plan.pod.metadata?.namespace, 'kaniko-abcd1234');
    assert.equal(plan.registrySecret.metadata?.namespace, 'kaniko-abcd1234');
    assert.equal(plan.storageSecret?.metadata?.namespace, 'kaniko-abcd1234');
  });

  it('plan without createNamespace creates no namespace', () => {
    const plan = buildPlan(sampleSettings(), 'abcd1234');

    assert.equal(plan.namespace, 'builds');
    assert.equal(plan.namespaceObject, undefined);
  });
});
