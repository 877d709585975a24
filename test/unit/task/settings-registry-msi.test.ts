// parseSettings with an Azure Container Registry connection that uses the agent's managed identity.
import { strict as assert } from 'node:assert';
import { parseSettings } from '../../../tasks/KanikoBuildV1/src/settings/parse';
import type { RawEndpoint } from '../../../tasks/KanikoBuildV1/src/settings/raw';
import { rawRun, settingsProblems } from './support/raw-run';
import { useTempDir, writeTree } from './support/temp-dir';

function acrManagedIdentityEndpoint(parameters: Record<string, string | undefined> = {}, url?: string): RawEndpoint {
  return {
    input: 'containerRegistry',
    id: 'acr-managed',
    url: url ?? 'https://fabrikam.azurecr.io',
    scheme: 'ManagedServiceIdentity',
    parameters: { loginServer: 'fabrikam.azurecr.io', tenantId: 'tenant-id', ...parameters },
    data: { registrytype: 'ACR' },
  };
}

describe('settings: ACR with a managed identity', () => {
  const root = useTempDir();
  beforeEach(() => writeTree(root(), { Dockerfile: 'FROM alpine\n' }));

  it('plans a managed identity exchange', () => {
    const { registry, image } = parseSettings(rawRun(root(), { registryEndpoint: acrManagedIdentityEndpoint() }));

    assert.equal(registry.host, 'fabrikam.azurecr.io');
    assert.equal(registry.authKey, 'fabrikam.azurecr.io');
    assert.equal(registry.username, '00000000-0000-0000-0000-000000000000');
    assert.equal(registry.password, '');
    assert.deepEqual(registry.tokenExchange, { kind: 'managedIdentity', connectionId: 'acr-managed', tenantId: 'tenant-id' });
    assert.equal(image.repository, 'fabrikam.azurecr.io/team/web');
  });

  it('needs no job access token', () => {
    const run = rawRun(root(), { registryEndpoint: acrManagedIdentityEndpoint() });
    run.variables.accessToken = '';

    assert.equal(parseSettings(run).registry.tokenExchange?.kind, 'managedIdentity');
  });

  it('leaves a missing tenant empty', () => {
    const { registry } = parseSettings(rawRun(root(), { registryEndpoint: acrManagedIdentityEndpoint({ tenantId: undefined }) }));

    assert.equal(registry.tokenExchange?.tenantId, '');
  });

  it('rejects an invalid login server', () => {
    const endpoint = acrManagedIdentityEndpoint({ loginServer: 'https://bad host' }, '');
    const problems = settingsProblems(rawRun(root(), { registryEndpoint: endpoint }));

    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^Input containerRegistry: the registry address 'https:\/\/bad host' is not a valid registry host/);
  });
});
