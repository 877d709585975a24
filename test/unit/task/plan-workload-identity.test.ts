// The plan with registry credentials from the build pod's Azure workload identity.
import { strict as assert } from 'node:assert';
import { buildPlan, type BuildPlan } from '../../../tasks/KanikoBuildV1/src/plan/plan';
import { DOCKER_CONFIG_KEY } from '../../../tasks/KanikoBuildV1/src/plan/pod';
import type { RegistrySettings } from '../../../tasks/KanikoBuildV1/src/settings/types';
import { sampleSettings, STORAGE_ACCESS_KEY, type SettingsChanges } from './support/settings';

const WORKLOAD_IDENTITY_ACR: RegistrySettings = {
  connectionName: '', host: 'myregistry.azurecr.io', authKey: 'myregistry.azurecr.io', username: '', password: '', helper: 'acr-env',
};

function planFor(changes: SettingsChanges = {}): BuildPlan {
  return buildPlan(sampleSettings({
    registry: WORKLOAD_IDENTITY_ACR,
    ...changes,
    pod: { serviceAccount: 'kaniko-builder', workloadIdentity: {}, ...changes.pod },
  }), 'abcd1234');
}

function registryConfig(plan: BuildPlan): unknown {
  return JSON.parse(Buffer.from(plan.registrySecret.data![DOCKER_CONFIG_KEY], 'base64').toString('utf8'));
}

describe('plan: workload identity', () => {
  it('config.json names only the helper', () => {
    assert.deepEqual(registryConfig(planFor()), { credHelpers: { 'myregistry.azurecr.io': 'acr-env' } });
  });

  it('pod carries the webhook label', () => {
    const plan = planFor();
    assert.equal(plan.pod.metadata?.labels?.['azure.workload.identity/use'], 'true');
    assert.equal(plan.registrySecret.metadata?.labels?.['azure.workload.identity/use'], undefined);
    assert.equal(plan.storageSecret!.metadata?.labels?.['azure.workload.identity/use'], undefined);
  });

  it('pod runs under the service account without an API token', () => {
    const plan = planFor();
    assert.equal(plan.pod.spec?.serviceAccountName, 'kaniko-builder');
    assert.equal(plan.pod.spec?.automountServiceAccountToken, false);
  });

  it('pod environment holds no registry credential', () => {
    const env = planFor().pod.spec!.containers[0].env ?? [];
    assert.deepEqual(env.map((variable) => variable.name), ['AZURE_STORAGE_ACCESS_KEY']);
    assert.equal(env[0].value, undefined, 'the storage key is in the pod spec itself');
  });

  it('sovereign cloud sets AZURE_ENVIRONMENT', () => {
    const plan = planFor({
      registry: { ...WORKLOAD_IDENTITY_ACR, host: 'myregistry.azurecr.cn', authKey: 'myregistry.azurecr.cn' },
      pod: { workloadIdentity: { azureEnvironment: 'AzureChinaCloud' } },
    });
    const env = plan.pod.spec!.containers[0].env ?? [];
    assert.deepEqual(env.find((variable) => variable.name === 'AZURE_ENVIRONMENT'), { name: 'AZURE_ENVIRONMENT', value: 'AzureChinaCloud' });
  });

  it('derived secrets hold no registry auth', () => {
    const plan = planFor();
    const storageKeyBase64 = Buffer.from(STORAGE_ACCESS_KEY, 'utf8').toString('base64');
    assert.ok(plan.derivedSecrets.includes(storageKeyBase64));
    for (const value of plan.derivedSecrets) assert.doesNotMatch(value, /"auths"/);
  });
});

describe('plan: service account without workload identity', () => {
  it('pod runs under the named account, without the label', () => {
    const plan = buildPlan(sampleSettings({ pod: { serviceAccount: 'builder' } }), 'abcd1234');
    assert.equal(plan.pod.spec?.serviceAccountName, 'builder');
    assert.equal(plan.pod.metadata?.labels?.['azure.workload.identity/use'], undefined);
  });

  it('pod without a service account leaves the field out', () => {
    const plan = buildPlan(sampleSettings(), 'abcd1234');
    assert.equal('serviceAccountName' in (plan.pod.spec ?? {}), false);
  });
});
