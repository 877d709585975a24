// parseSettings with storageConnection: an Azure Resource Manager connection in place of the account key.
import { strict as assert } from 'node:assert';
import { parseSettings } from '../../../tasks/KanikoBuildV1/src/settings/parse';
import type { RawEndpoint } from '../../../tasks/KanikoBuildV1/src/settings/raw';
import { rawRun, settingsProblems, STORAGE_KEY, type RunChanges } from './support/raw-run';
import { useTempDir, writeTree } from './support/temp-dir';

const SUBSCRIPTION = '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
const TENANT = '66666666-7777-8888-9999-000000000000';
const CLIENT = '11111111-2222-3333-4444-555555555555';
const SECRET = 'storage-connection-secret-0007';

function storageConnection(scheme: string, changes: { parameters?: Record<string, string>; data?: Record<string, string> } = {}): RawEndpoint {
  return {
    input: 'storageConnection',
    id: 'storage-connection',
    url: 'https://management.azure.com/',
    scheme,
    parameters: { serviceprincipalid: CLIENT, tenantid: TENANT, serviceprincipalkey: SECRET, ...changes.parameters },
    data: { subscriptionid: SUBSCRIPTION, environment: 'AzureCloud', ...changes.data },
  };
}

describe('settings: storage connection', () => {
  const root = useTempDir();
  beforeEach(() => writeTree(root(), { Dockerfile: 'FROM alpine\n' }));
  const withConnection = (endpoint: RawEndpoint | undefined, changes: RunChanges = {}): RunChanges => ({
    ...changes,
    inputs: { storageAccessKey: '', storageConnection: 'storage-connection', ...changes.inputs },
    storageEndpoint: endpoint,
  });
  const parse = (changes: RunChanges) => parseSettings(rawRun(root(), changes)).storage!;
  const problemsOf = (changes: RunChanges) => settingsProblems(rawRun(root(), changes));

  it('service principal secret replaces the key', () => {
    const storage = parse(withConnection(storageConnection('ServicePrincipal')));

    assert.equal(storage.accessKey, '');
    assert.equal(storage.connection?.connectionId, 'storage-connection');
    assert.equal(storage.connection?.clientId, CLIENT);
    assert.deepEqual(storage.connection?.auth, { kind: 'secret', clientSecret: SECRET });
    assert.equal(storage.uploadEndpoint, 'https://kanikostorage.blob.core.windows.net');
  });

  it('workload identity federation is accepted', () => {
    const storage = parse(withConnection(storageConnection('WorkloadIdentityFederation', { parameters: { serviceprincipalkey: '' } }), {
      oidcRequestUri: 'https://dev.azure.example.test/fabrikam/oidc', accessToken: 'job-access-token-0008',
    }));

    assert.equal(storage.connection?.auth.kind, 'workloadIdentity');
  });

  it('managed identity is accepted', () => {
    const storage = parse(withConnection(storageConnection('ManagedServiceIdentity', { parameters: { serviceprincipalid: '', serviceprincipalkey: '' } })));

    assert.deepEqual(storage.connection?.auth, { kind: 'managedIdentity' });
    assert.equal(storage.connection?.clientId, '');
  });

  const clouds = [
    { environment: 'AzureChinaCloud', endpoint: 'https://kanikostorage.blob.core.chinacloudapi.cn' },
    { environment: 'AzureUSGovernment', endpoint: 'https://kanikostorage.blob.core.usgovcloudapi.net' },
    { environment: 'AzureGermanCloud', endpoint: 'https://kanikostorage.blob.core.cloudapi.de' },
    { environment: 'azurecloud', endpoint: 'https://kanikostorage.blob.core.windows.net' },
  ];
  for (const { environment, endpoint } of clouds) {
    it(`cloud ${environment} sets the endpoint`, () => {
      const storage = parse(withConnection(storageConnection('ServicePrincipal', { data: { environment } })));

      assert.equal(storage.uploadEndpoint, endpoint);
      assert.equal(storage.kanikoEndpoint, endpoint);
    });
  }

  it('unknown cloud needs an endpoint', () => {
    const problems = problemsOf(withConnection(storageConnection('ServicePrincipal', { data: { environment: 'AzureStack' } })));

    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^Input storageConnection: the connection's cloud AzureStack has no known blob endpoint/);
    assert.match(problems[0], /storageBlobEndpoint/);
  });

  it('unknown cloud with an endpoint is accepted', () => {
    const storage = parse(withConnection(storageConnection('ServicePrincipal', { data: { environment: 'AzureStack' } }), {
      inputs: { storageBlobEndpoint: 'https://kanikostorage.blob.local.azurestack.example.test' },
    }));

    assert.equal(storage.uploadEndpoint, 'https://kanikostorage.blob.local.azurestack.example.test');
  });

  it('key and connection together are rejected', () => {
    const problems = problemsOf(withConnection(storageConnection('ServicePrincipal'), { inputs: { storageAccessKey: STORAGE_KEY } }));

    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^Inputs storageAccessKey and storageConnection: both are set/);
  });

  it('connection the agent did not pass is reported', () => {
    const problems = problemsOf(withConnection(undefined));

    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^Input storageConnection: no service connection was given/);
  });

  it('connection without a tenant is reported', () => {
    const problems = problemsOf(withConnection(storageConnection('ServicePrincipal', { parameters: { tenantid: '' } })));

    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^Input storageConnection: the Azure Resource Manager connection has no service principal id, tenant id/);
  });

  it('certificate connection is rejected', () => {
    const problems = problemsOf(withConnection(storageConnection('ServicePrincipal', { parameters: { authenticationType: 'spnCertificate' } })));

    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^Input storageConnection:.*service principal certificate/);
  });

  it('accountKey delivery needs the key', () => {
    const problems = problemsOf(withConnection(storageConnection('ServicePrincipal'), { inputs: { contextDelivery: 'accountKey' } }));

    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^Input contextDelivery: accountKey gives kaniko the storage account key, but only storageConnection is set/);
  });

  it('secret is not in the problems', () => {
    const problems = problemsOf(withConnection(storageConnection('ServicePrincipal'), { inputs: { storageAccount: 'A', storageContainer: 'B' } }));

    assert.equal(problems.length, 2, problems.join('\n'));
    assert.ok(!problems.join('\n').includes(SECRET));
  });
});
