// parseSettings with an Azure Container Registry connection that uses workload identity federation.
import { strict as assert } from 'node:assert';
import { parseSettings } from '../../../tasks/KanikoBuildV1/src/settings/parse';
import type { RawEndpoint } from '../../../tasks/KanikoBuildV1/src/settings/raw';
import { rawRun, settingsProblems } from './support/raw-run';
import { useTempDir, writeTree } from './support/temp-dir';

function acrFederatedEndpoint(parameters: Record<string, string> = {}): RawEndpoint {
  return {
    input: 'containerRegistry',
    id: 'acr-federated',
    url: 'https://fabrikam.azurecr.io',
    scheme: 'WorkloadIdentityFederation',
    parameters: { loginServer: 'fabrikam.azurecr.io', serviceprincipalid: 'client-id', tenantId: 'tenant-id', ...parameters },
    data: { registrytype: 'ACR' },
  };
}

describe('settings: ACR with workload identity federation', () => {
  const root = useTempDir();
  beforeEach(() => writeTree(root(), { Dockerfile: 'FROM alpine\n' }));

  it('plans a token exchange', () => {
    const run = rawRun(root(), { registryEndpoint: acrFederatedEndpoint() });
    run.variables.accessToken = 'job-access-token';
    const { registry, image } = parseSettings(run);

    assert.equal(registry.host, 'fabrikam.azurecr.io');
    assert.equal(registry.username, '00000000-0000-0000-0000-000000000000');
    assert.equal(registry.password, '');
    const exchange = registry.tokenExchange;
    assert.ok(exchange?.kind === 'workloadIdentity', `token exchange ${JSON.stringify(exchange)}`);
    assert.equal(exchange.connectionId, 'acr-federated');
    assert.equal(exchange.authorityHost, 'https://login.microsoftonline.com');
    assert.equal(image.repository, 'fabrikam.azurecr.io/team/web');
  });

  it('needs the job access token', () => {
    const problems = settingsProblems(rawRun(root(), { registryEndpoint: acrFederatedEndpoint() }));

    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^Input containerRegistry: the connection uses workload identity federation/);
  });

  it('needs the service principal', () => {
    const run = rawRun(root(), { registryEndpoint: acrFederatedEndpoint({ serviceprincipalid: '' }) });
    run.variables.accessToken = 'job-access-token';
    const problems = settingsProblems(run);

    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /has no user name or password/);
  });
});
