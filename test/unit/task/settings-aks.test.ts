// parseSettings with an Azure Resource Manager connection to an AKS cluster.
import { strict as assert } from 'node:assert';
import { parseSettings } from '../../../tasks/KanikoBuildV1/src/settings/parse';
import type { RawEndpoint } from '../../../tasks/KanikoBuildV1/src/settings/raw';
import type { AksClusterSettings } from '../../../tasks/KanikoBuildV1/src/settings/types';
import { rawRun, settingsProblems } from './support/raw-run';
import { useTempDir, writeTree } from './support/temp-dir';

const SUBSCRIPTION = '8a7aace5-0000-4000-8000-000000000001';
const TENANT = '72f988bf-0000-4000-8000-000000000002';
const CLIENT = '0c1a2b3d-0000-4000-8000-000000000003';

function armEndpoint(scheme: string, parameters: Record<string, string> = {}, data: Record<string, string> = {}): RawEndpoint {
  return {
    input: 'azureSubscriptionEndpoint',
    id: 'arm-connection',
    url: 'https://management.azure.com/',
    scheme,
    parameters: { serviceprincipalid: CLIENT, tenantid: TENANT, ...parameters },
    data: { subscriptionid: SUBSCRIPTION, environmentAuthorityUrl: 'https://login.microsoftonline.com/', ...data },
  };
}

const AKS_INPUTS = {
  connectionType: 'azureResourceManager',
  azureSubscriptionEndpoint: 'arm-connection',
  azureResourceGroup: 'rg-builds',
  kubernetesCluster: 'aks-build',
};

describe('settings: AKS through Azure Resource Manager', () => {
  const root = useTempDir();
  beforeEach(() => writeTree(root(), { Dockerfile: 'FROM alpine\n' }));

  it('service principal secret connection', () => {
    const run = rawRun(root(), { inputs: AKS_INPUTS, armEndpoint: armEndpoint('ServicePrincipal', { serviceprincipalkey: 'sp-secret-value' }) });
    const cluster = parseSettings(run).cluster as AksClusterSettings;

    assert.equal(cluster.kind, 'aks');
    assert.equal(cluster.resourceGroup, 'rg-builds');
    assert.equal(cluster.clusterName, 'aks-build');
    assert.equal(cluster.admin, false);
    assert.equal(cluster.arm.resourceManagerUrl, 'https://management.azure.com');
    assert.equal(cluster.arm.authorityHost, 'https://login.microsoftonline.com');
    assert.deepEqual(cluster.arm.auth, { kind: 'secret', clientSecret: 'sp-secret-value' });
  });

  it('workload identity connection', () => {
    const run = rawRun(root(), { inputs: { ...AKS_INPUTS, useClusterAdmin: 'true' }, armEndpoint: armEndpoint('WorkloadIdentityFederation') });
    run.variables.oidcRequestUri = 'https://dev.azure.example.test/org/_apis/distributedtask/hubs/build/plans/p/jobs/j/oidctoken';
    run.variables.accessToken = 'job-access-token';
    const cluster = parseSettings(run).cluster as AksClusterSettings;

    assert.equal(cluster.admin, true);
    assert.equal(cluster.arm.auth.kind, 'workloadIdentity');
  });

  it('system-assigned managed identity connection', () => {
    const endpoint = armEndpoint('ManagedServiceIdentity', { serviceprincipalid: '' });
    const cluster = parseSettings(rawRun(root(), { inputs: AKS_INPUTS, armEndpoint: endpoint })).cluster as AksClusterSettings;

    assert.deepEqual(cluster.arm.auth, { kind: 'managedIdentity' });
    assert.equal(cluster.arm.clientId, '');
    assert.equal(cluster.arm.tenantId, TENANT);
    assert.equal(cluster.arm.subscriptionId, SUBSCRIPTION);
    assert.equal(cluster.arm.resourceManagerUrl, 'https://management.azure.com');
    assert.equal(cluster.arm.resourceManagerAudience, 'https://management.core.windows.net/');
  });

  it('user-assigned client id from msiclientId', () => {
    const userAssigned = '5b0ad6c1-0000-4000-8000-000000000004';
    const endpoint = armEndpoint('ManagedServiceIdentity', { serviceprincipalid: '' }, { msiclientId: ` ${userAssigned} ` });
    const cluster = parseSettings(rawRun(root(), { inputs: AKS_INPUTS, armEndpoint: endpoint })).cluster as AksClusterSettings;

    assert.equal(cluster.arm.auth.kind, 'managedIdentity');
    assert.equal(cluster.arm.clientId, userAssigned);
  });

  it('managed identity ignores job variables', () => {
    const run = rawRun(root(), { inputs: AKS_INPUTS, armEndpoint: armEndpoint('ManagedServiceIdentity') });
    run.variables.accessToken = '';
    run.variables.oidcRequestUri = '';
    const cluster = parseSettings(run).cluster as AksClusterSettings;

    assert.equal(cluster.arm.auth.kind, 'managedIdentity');
  });

  it('namespace ignores the Kubernetes connection', () => {
    const run = rawRun(root(), {
      inputs: { ...AKS_INPUTS, namespace: '' },
      armEndpoint: armEndpoint('ServicePrincipal', { serviceprincipalkey: 'sp-secret-value' }),
    });
    assert.equal(parseSettings(run).pod.namespace, 'default');
  });

  const invalidCases: { name: string; inputs?: Record<string, string>; endpoint?: RawEndpoint; pattern: RegExp }[] = [
    { name: 'missing connection', pattern: /^Input azureSubscriptionEndpoint: no service connection/ },
    { name: 'bad resource group', inputs: { azureResourceGroup: 'rg/x' }, endpoint: armEndpoint('ServicePrincipal', { serviceprincipalkey: 's' }), pattern: /^Input azureResourceGroup: 'rg\/x'/ },
    { name: 'bad cluster name', inputs: { kubernetesCluster: '-aks' }, endpoint: armEndpoint('ServicePrincipal', { serviceprincipalkey: 's' }), pattern: /^Input kubernetesCluster: '-aks'/ },
    { name: 'no subscription', endpoint: armEndpoint('ServicePrincipal', { serviceprincipalkey: 's' }, { subscriptionid: '' }), pattern: /no service principal id, tenant id or subscription id/ },
    { name: 'certificate auth', endpoint: armEndpoint('ServicePrincipal', { authenticationType: 'spnCertificate' }), pattern: /uses 'a service principal certificate', which this version does not support/ },
    { name: 'unknown scheme', endpoint: armEndpoint('PublishProfile'), pattern: /uses 'PublishProfile', which this version does not support/ },
    {
      name: 'managed identity without tenant',
      endpoint: armEndpoint('ManagedServiceIdentity', { tenantid: '' }),
      pattern: /^Input azureSubscriptionEndpoint: the Azure Resource Manager connection with a managed identity has no tenant id or subscription id/,
    },
    {
      name: 'managed identity bad subscription',
      endpoint: armEndpoint('ManagedServiceIdentity', {}, { subscriptionid: 'my-subscription' }),
      pattern: /with a managed identity has no tenant id or subscription id/,
    },
    {
      name: 'client id not a GUID',
      endpoint: armEndpoint('ManagedServiceIdentity', {}, { msiclientId: 'builder-identity' }),
      pattern: /managed identity client id \(data msiclientId\) 'builder-identity' is not a GUID/,
    },
    { name: 'federation without OIDC', endpoint: armEndpoint('WorkloadIdentityFederation'), pattern: /no OIDC request URL or access token/ },
  ];
  for (const { name, inputs, endpoint, pattern } of invalidCases) {
    it(`rejected: ${name}`, () => {
      const problems = settingsProblems(rawRun(root(), { inputs: { ...AKS_INPUTS, ...inputs }, armEndpoint: endpoint }));

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], pattern);
    });
  }
});
