// The registry, storage and build arguments Secrets of the plan, and that no secret reaches the
// pod's arguments, labels or annotations.
import { strict as assert } from 'node:assert';
import { buildPlan, planSecrets, type BuildPlan } from '../../../tasks/KanikoBuildV1/src/plan/plan';
import type { RegistrySettings } from '../../../tasks/KanikoBuildV1/src/settings/types';
import { ACR, DOCKER_HUB, REGISTRY_PASSWORD, sampleSettings, STORAGE_ACCESS_KEY } from './support/settings';

const OTHER_REGISTRY: RegistrySettings = {
  connectionName: 'other', host: 'registry.example.test:5000', authKey: 'registry.example.test:5000', username: 'robot$ci', password: 'p:ss word/ü',
};

function decode(data: string | undefined): string {
  assert.ok(data, 'Secret value is missing');
  return Buffer.from(data, 'base64').toString('utf8');
}

function dockerConfigOf(plan: BuildPlan): { auths: Record<string, { auth: string }> } {
  return JSON.parse(decode(plan.registrySecret.data?.['config.json']));
}

/** Lists every form of the run's secrets, none of which may appear outside the Secrets' data. */
function secretForms(plan: BuildPlan, registry: RegistrySettings): string[] {
  return [registry.password, STORAGE_ACCESS_KEY, ...plan.derivedSecrets];
}

describe('plan: Secrets', () => {
  const registries = [
    { name: 'Docker Hub', registry: DOCKER_HUB, key: 'https://index.docker.io/v1/' },
    { name: 'ACR', registry: ACR, key: 'myregistry.azurecr.io' },
    { name: 'other registry', registry: OTHER_REGISTRY, key: 'registry.example.test:5000' },
  ];
  for (const { name, registry, key } of registries) {
    it(`config.json auths for ${name}`, () => {
      const plan = buildPlan(sampleSettings({ registry }), 'abcd1234');
      const config = dockerConfigOf(plan);

      assert.deepEqual(Object.keys(config.auths), [key]);
      assert.equal(decode(config.auths[key].auth), `${registry.username}:${registry.password}`);
      assert.deepEqual(Object.keys(config), ['auths']);
    });
  }

  it('config.json merges the pull registries after the push registry', () => {
    const plan = buildPlan(sampleSettings({ registry: ACR, pullRegistries: [DOCKER_HUB, OTHER_REGISTRY] }), 'abcd1234');
    const config = dockerConfigOf(plan);

    assert.deepEqual(Object.keys(config.auths), ['myregistry.azurecr.io', 'https://index.docker.io/v1/', 'registry.example.test:5000']);
    assert.equal(decode(config.auths['registry.example.test:5000'].auth), `${OTHER_REGISTRY.username}:${OTHER_REGISTRY.password}`);
    for (const entry of Object.values(config.auths)) assert.ok(plan.derivedSecrets.includes(entry.auth));
  });

  it('config.json keeps the push registry when a pull registry has the same key', () => {
    const pullAcr: RegistrySettings = { ...ACR, connectionName: 'acr-pull', username: 'pull-only', password: 'pull-password' };
    const plan = buildPlan(sampleSettings({ registry: ACR, pullRegistries: [pullAcr] }), 'abcd1234');
    const config = dockerConfigOf(plan);

    assert.deepEqual(Object.keys(config.auths), ['myregistry.azurecr.io']);
    assert.equal(decode(config.auths['myregistry.azurecr.io'].auth), `${ACR.username}:${ACR.password}`);
  });

  it('config.json maps a registry with a helper to credHelpers, with no auths', () => {
    const helperAcr: RegistrySettings = { ...ACR, username: '', password: '', helper: 'acr-env' };
    const plan = buildPlan(sampleSettings({ registry: helperAcr }), 'abcd1234');
    const config = JSON.parse(decode(plan.registrySecret.data?.['config.json'])) as Record<string, unknown>;

    assert.deepEqual(config, { credHelpers: { 'myregistry.azurecr.io': 'acr-env' } });
  });

  it('storage Secret holds the key', () => {
    const plan = buildPlan(sampleSettings(), 'abcd1234');

    assert.deepEqual(Object.keys(plan.storageSecret!.data ?? {}), ['AZURE_STORAGE_ACCESS_KEY']);
    assert.equal(decode(plan.storageSecret!.data?.AZURE_STORAGE_ACCESS_KEY), STORAGE_ACCESS_KEY);
  });

  it('config.json leaves out a registry without credentials', () => {
    const unnamed: RegistrySettings = { connectionName: '', host: 'myregistry.azurecr.io', authKey: 'myregistry.azurecr.io', username: '', password: '', noCredentials: true };
    const plan = buildPlan(sampleSettings({ registry: unnamed, pullRegistries: [DOCKER_HUB] }), 'abcd1234');
    const config = dockerConfigOf(plan);

    assert.deepEqual(Object.keys(config.auths), ['https://index.docker.io/v1/']);
  });

  it('config.json is empty without any credentials', () => {
    const unnamed: RegistrySettings = { connectionName: '', host: 'myregistry.azurecr.io', authKey: 'myregistry.azurecr.io', username: '', password: '', noCredentials: true };
    const plan = buildPlan(sampleSettings({ registry: unnamed }), 'abcd1234');

    assert.equal(decode(plan.registrySecret.data?.['config.json']), '{}');
  });

  it('build arguments Secret holds each value', () => {
    const plan = buildPlan(sampleSettings({
      build: { secretBuildArguments: [{ name: 'NPM_TOKEN', value: 'npm-token-value-0007' }, { name: 'PIP_INDEX_URL', value: 'https://u:p ä@pypi.example.test/simple' }] },
    }), 'abcd1234');
    const secret = plan.buildArgumentsSecret;

    assert.ok(secret, 'no build arguments Secret');
    assert.deepEqual(Object.keys(secret.data ?? {}), ['NPM_TOKEN', 'PIP_INDEX_URL']);
    assert.equal(decode(secret.data?.NPM_TOKEN), 'npm-token-value-0007');
    assert.equal(decode(secret.data?.PIP_INDEX_URL), 'https://u:p ä@pypi.example.test/simple');
    assert.deepEqual(secret.metadata?.labels, plan.labels);
    for (const value of Object.values(secret.data ?? {})) assert.ok(plan.derivedSecrets.includes(value), 'encoded value not masked');
  });

  it('planSecrets lists every Secret', () => {
    const plan = buildPlan(sampleSettings({ build: { secretBuildArguments: [{ name: 'TOKEN', value: 'token-value-0008' }] } }), 'abcd1234');

    assert.deepEqual(planSecrets(plan).map((secret) => secret.metadata?.name), [
      `${plan.name}-registry`, `${plan.name}-storage`, `${plan.name}-build-args`,
    ]);
    assert.deepEqual(planSecrets(buildPlan(sampleSettings(), 'abcd1234')).map((secret) => secret.metadata?.name), [
      `${plan.name}-registry`, `${plan.name}-storage`,
    ]);
  });

  it('Secrets are Opaque in the namespace', () => {
    const plan = buildPlan(sampleSettings({ build: { secretBuildArguments: [{ name: 'TOKEN', value: 'token-value-0008' }] } }), 'abcd1234');

    assert.equal(planSecrets(plan).length, 3);
    for (const secret of planSecrets(plan)) {
      assert.equal(secret.apiVersion, 'v1');
      assert.equal(secret.kind, 'Secret');
      assert.equal(secret.type, 'Opaque');
      assert.equal(secret.metadata?.namespace, 'builds');
      assert.equal(secret.stringData, undefined);
    }
  });

  for (const { name, registry } of registries) {
    it(`derivedSecrets has every encoded form (${name})`, () => {
      const plan = buildPlan(sampleSettings({ registry }), 'abcd1234');
      const config = dockerConfigOf(plan);
      const auth = Object.values(config.auths)[0].auth;

      assert.ok(plan.derivedSecrets.includes(auth), 'auth value missing');
      assert.ok(plan.derivedSecrets.includes(decode(plan.registrySecret.data?.['config.json'])), 'config.json text missing');
      assert.ok(plan.derivedSecrets.includes(plan.registrySecret.data?.['config.json'] ?? ''), 'Secret config.json data missing');
      assert.ok(plan.derivedSecrets.includes(plan.storageSecret!.data?.AZURE_STORAGE_ACCESS_KEY ?? ''), 'Secret storage key data missing');
      assert.ok(plan.derivedSecrets.every((value) => value.length > 0 && !value.includes('\n')), 'a derived secret cannot be masked');
    });
  }

  for (const { name, registry } of registries) {
    it(`no secret in pod or metadata (${name})`, () => {
      const plan = buildPlan(sampleSettings({
        registry,
        build: { buildArguments: [{ name: 'A', value: 'b' }], secretBuildArguments: [{ name: 'TOKEN', value: 'token-value-0008' }], target: 'final' },
      }), 'abcd1234');
      const visible = JSON.stringify({
        pod: plan.pod,
        registryMetadata: plan.registrySecret.metadata,
        storageMetadata: plan.storageSecret!.metadata,
        buildArgumentsMetadata: plan.buildArgumentsSecret!.metadata,
        labels: plan.labels,
        destinations: plan.destinations,
        contextUrl: plan.contextUrl,
        blobName: plan.blobName,
      });

      for (const secret of secretForms(plan, registry)) {
        assert.ok(!visible.includes(secret), `a secret form appears outside the Secrets' data: ${secret.slice(0, 8)}...`);
      }
      assert.ok(!visible.includes(REGISTRY_PASSWORD));
      assert.ok(!visible.includes('token-value-0008'));
    });
  }
});
