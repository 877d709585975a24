import assert from 'node:assert/strict';
import { ClientSecretCredential } from '@azure/identity';
import { parse, stringify } from 'yaml';
import type { AzureFakes } from '../../../tools/azure-fakes/index';
import { identityOptions, send, startTestFakes, type RawResponse, type TestClock } from './helpers';

const ARM_SCOPE = 'https://management.azure.com/.default';
const USER_ACTION = 'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action';
const ADMIN_ACTION = 'Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action';

/** The exec user that Entra-integrated AKS clusters return in their user kubeconfig. */
const ENTRA_KUBECONFIG = stringify({
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [{ name: 'aks1', cluster: { server: 'https://aks1-dns.hcp.westeurope.example.test:443', 'certificate-authority-data': 'Q0E=' } }],
  users: [
    {
      name: 'clusterUser_build-rg_aks1',
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: 'kubelogin',
          args: ['get-token', '--environment', 'AzurePublicCloud', '--server-id', '6dae42f8-4368-4678-94ff-3960e28e3630', '--login', 'devicecode'],
        },
      },
    },
  ],
  contexts: [{ name: 'aks1', context: { cluster: 'aks1', user: 'clusterUser_build-rg_aks1' } }],
  'current-context': 'aks1',
});
const ADMIN_KUBECONFIG = 'apiVersion: v1\nkind: Config\nusers:\n- name: clusterAdmin\n  user:\n    token: admin-token\n';

interface TestApp {
  appId: string;
  objectId: string;
  secret: string;
}

describe('fake Azure Resource Manager: AKS credentials', () => {
  let fakes: AzureFakes;
  let clock: TestClock;
  let subscriptionId: string;
  let clusterId: string;
  let user: TestApp;
  let admin: TestApp;
  let nobody: TestApp;

  before(async () => {
    ({ fakes, clock } = await startTestFakes());
    subscriptionId = fakes.arm.addSubscription().id;
    fakes.arm.addResourceGroup(subscriptionId, 'build-rg');
    clusterId = fakes.arm.addManagedCluster({ subscriptionId, resourceGroup: 'build-rg', name: 'aks1', userKubeconfig: ENTRA_KUBECONFIG, adminKubeconfig: ADMIN_KUBECONFIG }).id;
    user = newApp();
    admin = newApp();
    nobody = newApp();
    fakes.arm.assignRole(user.objectId, 'Azure Kubernetes Service Cluster User Role', clusterId);
    fakes.arm.assignRole(admin.objectId, 'Azure Kubernetes Service Cluster Admin Role', clusterId);
  });

  after(async () => {
    await fakes.stop();
  });

  beforeEach(() => {
    clock.offsetMs = 0;
  });

  function newApp(tenantId?: string): TestApp {
    const app = fakes.entra.addApp({ tenantId });
    return { appId: app.appId, objectId: app.objectId, secret: fakes.entra.addClientSecret(app.appId) };
  }

  async function tokenFor(app: TestApp, scope = ARM_SCOPE, tenantId = fakes.entra.tenantId): Promise<string> {
    const response = await send(fakes, 'POST', `${fakes.entra.url}/${tenantId}/oauth2/v2.0/token`, {
      form: { grant_type: 'client_credentials', client_id: app.appId, client_secret: app.secret, scope },
    });
    assert.equal(response.status, 200, response.text);
    return String(response.json.access_token);
  }

  function credentialUrl(operation = 'listClusterUserCredential', options: { group?: string; name?: string; subscription?: string; query?: string } = {}): string {
    const path = `/subscriptions/${options.subscription ?? subscriptionId}/resourceGroups/${options.group ?? 'build-rg'}/providers/Microsoft.ContainerService/managedClusters/${options.name ?? 'aks1'}/${operation}`;
    return `${fakes.arm.url}${path}?${options.query ?? 'api-version=2024-09-01'}`;
  }

  function list(url: string, token: string | undefined): Promise<RawResponse> {
    return send(fakes, 'POST', url, { headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } });
  }

  function assertArmError(response: RawResponse, status: number, code: string): string {
    assert.equal(response.status, status, response.text);
    const error = response.json.error as { code: string; message: string };
    assert.equal(error.code, code);
    return error.message;
  }

  function kubeconfigOf(response: RawResponse, name: string): string {
    const kubeconfigs = response.json.kubeconfigs as { name: string; value: string }[];
    assert.equal(kubeconfigs.length, 1);
    assert.equal(kubeconfigs[0].name, name);
    return Buffer.from(kubeconfigs[0].value, 'base64').toString('utf8');
  }

  describe('successful calls', () => {
    it('returns user kubeconfig to Cluster User', async () => {
      const credential = new ClientSecretCredential(fakes.entra.tenantId, user.appId, user.secret, identityOptions(fakes));
      const token = (await credential.getToken(ARM_SCOPE)).token;
      const response = await list(credentialUrl(), token);
      assert.equal(response.status, 200);
      const kubeconfig = parse(kubeconfigOf(response, 'clusterUser')) as { users: { user: { exec: { command: string; args: string[] } } }[] };
      assert.equal(kubeconfig.users[0].user.exec.command, 'kubelogin');
      assert.deepEqual(kubeconfig.users[0].user.exec.args.slice(0, 1), ['get-token']);
      assert.ok(kubeconfig.users[0].user.exec.args.includes('6dae42f8-4368-4678-94ff-3960e28e3630'));
    });

    it('accepts management.core.windows.net audience', async () => {
      const response = await list(credentialUrl(), await tokenFor(user, 'https://management.core.windows.net//.default'));
      assert.equal(response.status, 200);
    });

    it('returns admin kubeconfig to Cluster Admin', async () => {
      const response = await list(credentialUrl('listClusterAdminCredential'), await tokenFor(admin));
      assert.equal(kubeconfigOf(response, 'clusterAdmin'), ADMIN_KUBECONFIG);
    });

    it('applies group and subscription roles', async () => {
      const groupUser = newApp();
      fakes.arm.assignRole(groupUser.objectId, 'Azure Kubernetes Service Cluster User Role', `/subscriptions/${subscriptionId}/resourceGroups/BUILD-RG`);
      assert.equal((await list(credentialUrl(), await tokenFor(groupUser))).status, 200);
      const contributor = newApp();
      fakes.arm.assignRole(contributor.objectId, 'Contributor', `/subscriptions/${subscriptionId}`);
      assert.equal((await list(credentialUrl('listClusterAdminCredential'), await tokenFor(contributor))).status, 200);
    });

    it('matches names case-insensitively', async () => {
      fakes.clearRequests();
      const url = credentialUrl('listclusterusercredential', { group: 'Build-RG', name: 'AKS1', query: 'api-version=2024-09-01&format=exec' });
      assert.equal((await list(url.replace('/resourceGroups/', '/resourcegroups/'), await tokenFor(user))).status, 200);
      const recorded = fakes.requests('arm')[0];
      assert.equal(recorded.query.format, 'exec');
      assert.equal(recorded.headers.authorization, 'Bearer [redacted]');
    });
  });

  describe('rejections', () => {
    it('checks api-version before authentication', async () => {
      const message = assertArmError(await list(credentialUrl(undefined, { query: '' }), undefined), 400, 'MissingApiVersionParameter');
      assert.equal(message, 'The api-version query parameter (?api-version=) is required for all requests.');
      assertArmError(await list(credentialUrl(undefined, { query: 'api-version=latest' }), undefined), 400, 'InvalidApiVersionParameter');
    });

    it('returns 401 without usable token', async () => {
      const missing = await list(credentialUrl(), undefined);
      assert.equal(assertArmError(missing, 401, 'AuthenticationFailed'), "Authentication failed. The 'Authorization' header is missing.");
      assert.match(String(missing.headers['www-authenticate']), /^Bearer authorization_uri="https:\/\/127\.0\.0\.1:\d+\/", error="invalid_token"/);
      const basic = await send(fakes, 'POST', credentialUrl(), { headers: { Authorization: 'Basic dXNlcjpwYXNz' } });
      assertArmError(basic, 401, 'AuthenticationFailedInvalidHeader');
      assert.equal(assertArmError(await list(credentialUrl(), 'garbage'), 401, 'InvalidAuthenticationToken'), 'The access token is invalid.');
    });

    it('rejects token for another audience', async () => {
      const message = assertArmError(await list(credentialUrl(), await tokenFor(user, 'https://containerregistry.azure.net/.default')), 401, 'InvalidAuthenticationTokenAudience');
      assert.match(message, /wrong audience or resource 'https:\/\/containerregistry\.azure\.net'/);
    });

    it('rejects an expired token', async () => {
      const token = await tokenFor(user);
      clock.advance(3600);
      const message = assertArmError(await list(credentialUrl(), token), 401, 'ExpiredAuthenticationToken');
      assert.match(message, /^The access token expiry UTC time '\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d\d:\d\d [AP]M' is earlier than current UTC time/);
    });

    it('rejects token from another tenant', async () => {
      const other = fakes.entra.addTenant();
      const foreign = newApp(other.id);
      const message = assertArmError(await list(credentialUrl(), await tokenFor(foreign, ARM_SCOPE, other.id)), 401, 'InvalidAuthenticationTokenTenant');
      assert.match(message, new RegExp(`wrong issuer 'https://sts.windows.net/${other.id}/'`));
    });

    it('returns 403 naming the action', async () => {
      const message = assertArmError(await list(credentialUrl(), await tokenFor(nobody)), 403, 'AuthorizationFailed');
      assert.equal(
        message,
        `The client '${nobody.appId}' with object id '${nobody.objectId}' does not have authorization to perform action '${USER_ACTION}' over scope '${clusterId}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      );
    });

    it('returns 403 for admin with user role', async () => {
      const message = assertArmError(await list(credentialUrl('listClusterAdminCredential'), await tokenFor(user)), 403, 'AuthorizationFailed');
      assert.ok(message.includes(`action '${ADMIN_ACTION}'`));
    });

    it('returns 403 before checking existence', async () => {
      assertArmError(await list(credentialUrl(undefined, { group: 'missing-rg' }), await tokenFor(user)), 403, 'AuthorizationFailed');
    });

    it('returns 404 for missing group, cluster', async () => {
      const owner = newApp();
      fakes.arm.assignRole(owner.objectId, 'Owner', `/subscriptions/${subscriptionId}`);
      const token = await tokenFor(owner);
      assert.equal(assertArmError(await list(credentialUrl(undefined, { group: 'missing-rg' }), token), 404, 'ResourceGroupNotFound'), "Resource group 'missing-rg' could not be found.");
      const message = assertArmError(await list(credentialUrl(undefined, { name: 'aks9' }), token), 404, 'ResourceNotFound');
      assert.equal(message, "The Resource 'Microsoft.ContainerService/managedClusters/aks9' under resource group 'build-rg' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");
    });

    it('rejects unknown or malformed subscriptions', async () => {
      const token = await tokenFor(user);
      assertArmError(await list(credentialUrl(undefined, { subscription: '99999999-9999-4999-8999-999999999999' }), token), 404, 'SubscriptionNotFound');
      assertArmError(await list(credentialUrl(undefined, { subscription: 'not-a-guid' }), token), 400, 'InvalidSubscriptionId');
    });

    it('rejects admin without local accounts', async () => {
      fakes.arm.addManagedCluster({ subscriptionId, resourceGroup: 'build-rg', name: 'aks-entra-only', userKubeconfig: ENTRA_KUBECONFIG, localAccountsDisabled: true });
      const owner = newApp();
      fakes.arm.assignRole(owner.objectId, 'Owner', `/subscriptions/${subscriptionId}/resourceGroups/build-rg`);
      const token = await tokenFor(owner);
      assert.equal((await list(credentialUrl('listClusterUserCredential', { name: 'aks-entra-only' }), token)).status, 200);
      const message = assertArmError(await list(credentialUrl('listClusterAdminCredential', { name: 'aks-entra-only' }), token), 400, 'BadRequest');
      assert.match(message, /disable local accounts/);
    });

    it('rejects after role assignment removal', async () => {
      const temporary = newApp();
      fakes.arm.assignRole(temporary.objectId, 'Azure Kubernetes Service Cluster User Role', clusterId);
      const token = await tokenFor(temporary);
      assert.equal((await list(credentialUrl(), token)).status, 200);
      fakes.arm.removeRoleAssignments(temporary.objectId, clusterId);
      assertArmError(await list(credentialUrl(), token), 403, 'AuthorizationFailed');
    });

    it('rejects other paths and methods', async () => {
      const token = await tokenFor(user);
      assertArmError(await send(fakes, 'GET', credentialUrl(), { headers: { Authorization: `Bearer ${token}` } }), 405, 'MethodNotAllowed');
      assertArmError(await list(`${fakes.arm.url}/subscriptions/${subscriptionId}/resourcegroups?api-version=2021-04-01`, token), 404, 'NotFound');
    });
  });
});
