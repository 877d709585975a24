// parseSettings with container registry service connections.
import { strict as assert } from 'node:assert';
import { parseSettings } from '../../../tasks/KanikoBuildV1/src/settings/parse';
import type { RawEndpoint } from '../../../tasks/KanikoBuildV1/src/settings/raw';
import { acrEndpoint, rawRun, settingsProblems, usernamePasswordEndpoint } from './support/raw-run';
import { useTempDir, writeTree } from './support/temp-dir';

describe('settings: registry connection', () => {
  const root = useTempDir();
  beforeEach(() => writeTree(root(), { Dockerfile: 'FROM alpine\n' }));

  const dockerHubAddresses = ['https://index.docker.io/v1/', 'docker.io', 'https://registry-1.docker.io', 'registry.hub.docker.com'];
  for (const address of dockerHubAddresses) {
    it(`Docker Hub address ${address} uses docker.io`, () => {
      const settings = parseSettings(rawRun(root(), { registryEndpoint: usernamePasswordEndpoint(address) }));

      assert.equal(settings.registry.host, 'docker.io');
      assert.equal(settings.registry.authKey, 'https://index.docker.io/v1/');
      assert.equal(settings.registry.username, 'push-user');
      assert.equal(settings.registry.password, 'registry-password-0003');
      assert.equal(settings.image.repository, 'docker.io/team/web');
    });
  }

  const otherRegistries = [
    { address: 'https://registry.example.test:5000/', host: 'registry.example.test:5000' },
    { address: 'Registry.Example.Test', host: 'registry.example.test' },
    { address: 'https://myregistry.azurecr.io', host: 'myregistry.azurecr.io' },
    { address: 'localhost:5000', host: 'localhost:5000' },
  ];
  for (const { address, host } of otherRegistries) {
    it(`other registry ${address} keys auth by host`, () => {
      const settings = parseSettings(rawRun(root(), { registryEndpoint: usernamePasswordEndpoint(address) }));

      assert.equal(settings.registry.host, host);
      assert.equal(settings.registry.authKey, host);
      assert.equal(settings.image.repository, `${host}/team/web`);
    });
  }

  it('ACR service principal uses loginServer', () => {
    const settings = parseSettings(rawRun(root(), { registryEndpoint: acrEndpoint('myregistry.azurecr.io') }));

    assert.equal(settings.registry.connectionName, 'acr-connection');
    assert.equal(settings.registry.host, 'myregistry.azurecr.io');
    assert.equal(settings.registry.authKey, 'myregistry.azurecr.io');
    assert.equal(settings.registry.username, '11111111-2222-3333-4444-555555555555');
    assert.equal(settings.registry.password, 'service-principal-secret-0004');
  });

  it('ACR loginServer may come from connection data', () => {
    const endpoint = acrEndpoint();
    const fromData: RawEndpoint = {
      ...endpoint,
      url: undefined,
      parameters: { ...endpoint.parameters, loginServer: undefined },
      data: { registryType: 'acr', loginServer: 'dataregistry.azurecr.io' },
    };
    const settings = parseSettings(rawRun(root(), { registryEndpoint: fromData }));

    assert.equal(settings.registry.host, 'dataregistry.azurecr.io');
  });

  const rejected: { name: string; endpoint: RawEndpoint | null; pattern: RegExp }[] = [
    { name: 'no connection', endpoint: null, pattern: /^Input containerRegistry: no service connection/ },
    {
      name: 'managed identity without ACR type',
      endpoint: { ...acrEndpoint(), scheme: 'ManagedServiceIdentity', data: {} },
      pattern: /authentication scheme 'ManagedServiceIdentity'/,
    },
    {
      name: 'service principal without ACR type',
      endpoint: { ...acrEndpoint(), data: {} },
      pattern: /authentication scheme 'ServicePrincipal'/,
    },
    { name: 'no scheme', endpoint: { ...acrEndpoint(), scheme: undefined }, pattern: /authentication scheme '\(none\)'/ },
    {
      name: 'missing password',
      endpoint: { ...usernamePasswordEndpoint('registry.example.test'), parameters: { registry: 'registry.example.test', username: 'u' } },
      pattern: /registry registry\.example\.test has no user name or password/,
    },
    {
      name: 'missing service principal key',
      endpoint: { ...acrEndpoint(), parameters: { ...acrEndpoint().parameters, serviceprincipalkey: undefined } },
      pattern: /registry myregistry\.azurecr\.io has no user name or password/,
    },
    {
      name: 'empty address',
      endpoint: { ...usernamePasswordEndpoint(''), url: undefined },
      pattern: /registry address '\(empty\)'/,
    },
    { name: 'invalid address', endpoint: usernamePasswordEndpoint('https://bad host'), pattern: /registry address 'https:\/\/bad host'/ },
  ];
  for (const { name, endpoint, pattern } of rejected) {
    it(`registry rejected: ${name}`, () => {
      const problems = settingsProblems(rawRun(root(), { registryEndpoint: endpoint }));

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], /^Input containerRegistry:/);
      assert.match(problems[0], pattern);
    });
  }

  it('registry problems never show the password', () => {
    const endpoint = { ...usernamePasswordEndpoint('https://bad host'), parameters: { registry: 'https://bad host', password: 'registry-password-0003' } };
    const problems = settingsProblems(rawRun(root(), { registryEndpoint: endpoint }));

    assert.equal(problems.length, 1);
    assert.ok(!problems[0].includes('registry-password-0003'));
  });
});
