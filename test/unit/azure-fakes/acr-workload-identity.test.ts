import assert from 'node:assert/strict';
import type { AzureFakes, StartedRegistry } from '../../../tools/azure-fakes/index';
import type { WorkloadIdentityRequest } from '../../../tools/local-cluster/kubelet/executor/acr-env-helper';
import { ServiceAccountTokenIssuer } from '../../../tools/local-cluster/apiserver/store/service-account-tokens';
import { startTestFakes, type TestClock } from './helpers';

const ISSUER = 'https://oidc.local-cluster.test/issuer/';
const SUBJECT = 'system:serviceaccount:builds:kaniko-builder';

describe('fake ACR: workload identity decisions', () => {
  let fakes: AzureFakes;
  let clock: TestClock;
  let issuer: ServiceAccountTokenIssuer;
  let registry: StartedRegistry;
  let strictRegistry: StartedRegistry;

  before(async () => {
    ({ fakes, clock } = await startTestFakes());
    issuer = await ServiceAccountTokenIssuer.create(ISSUER);
    fakes.entra.trustIssuer(issuer.issuer, issuer.keyId, issuer.publicKey);
    const subscriptionId = fakes.arm.addSubscription().id;
    fakes.arm.addResourceGroup(subscriptionId, 'images');
    registry = await fakes.acr.addRegistry({ subscriptionId, resourceGroup: 'images', name: 'wiimages' });
    strictRegistry = await fakes.acr.addRegistry({ subscriptionId, resourceGroup: 'images', name: 'wistrict', armAudienceTokens: false });
  });

  after(async () => {
    await fakes.stop();
  });

  beforeEach(() => {
    clock.offsetMs = 0;
  });

  function podToken(serviceAccount = 'kaniko-builder', audience = 'api://AzureADTokenExchange'): string {
    return issuer.issue({
      namespace: 'builds',
      serviceAccount: { name: serviceAccount, uid: 'sa-uid' },
      pod: { name: 'kaniko-1', uid: 'pod-uid' },
      node: { name: 'local-node-1', uid: 'node-uid' },
    }, audience, 3600, clock.now());
  }

  /** Registers an app with a federated credential for the build's service account, and a role on the registry. */
  function federatedApp(role?: 'AcrPush' | 'AcrPull', subject = SUBJECT): string {
    const app = fakes.entra.addApp();
    fakes.entra.addFederatedCredential(app.appId, { issuer: ISSUER, subject });
    if (role) {
      fakes.arm.assignRole(app.objectId, role, registry.id);
      fakes.arm.assignRole(app.objectId, role, strictRegistry.id);
    }
    return app.appId;
  }

  function request(clientId: string, overrides: Partial<WorkloadIdentityRequest> = {}): WorkloadIdentityRequest {
    return { clientId, tenantId: fakes.entra.tenantId, federatedToken: podToken(), environment: '', ...overrides };
  }

  it('grants pull and push with AcrPush', () => {
    assert.deepEqual(fakes.acr.authorizeWorkloadIdentity(registry, request(federatedApp('AcrPush'))), { actions: ['pull', 'push'] });
  });

  it('grants only pull with AcrPull', () => {
    assert.deepEqual(fakes.acr.authorizeWorkloadIdentity(registry, request(federatedApp('AcrPull'))), { actions: ['pull'] });
  });

  it('fails the exchange without a role', () => {
    const decision = fakes.acr.authorizeWorkloadIdentity(registry, request(federatedApp()));
    assert.ok('failure' in decision);
    assert.equal(decision.failure, 'exchange');
    assert.match(decision.message, /^containerregistry\.RefreshTokensClient#GetFromExchange: Failure responding to request: StatusCode=401/);
    assert.match(decision.message, /has no role on registry wiimages that allows pull or push/);
  });

  it('fails the exchange where Resource Manager tokens are off', () => {
    const decision = fakes.acr.authorizeWorkloadIdentity(strictRegistry, request(federatedApp('AcrPush')));
    assert.ok('failure' in decision);
    assert.equal(decision.failure, 'exchange');
    assert.match(decision.message, /authentication-as-arm policy is disabled/);
  });

  it('rejects a token for another service account', () => {
    const decision = fakes.acr.authorizeWorkloadIdentity(registry, request(federatedApp('AcrPush'), { federatedToken: podToken('default') }));
    assert.ok('failure' in decision);
    assert.equal(decision.failure, 'token');
    assert.match(decision.message, /^adal: Refresh request failed\. Status Code = '401'\. Response body: \{"error":"invalid_client"/);
    assert.match(decision.message, /AADSTS700213/);
    assert.match(decision.message, new RegExp(`Endpoint https://login\\.microsoftonline\\.com/${fakes.entra.tenantId}/oauth2/token\\?api-version=1\\.0$`));
  });

  it('rejects an app without a federated credential', () => {
    const app = fakes.entra.addApp();
    fakes.arm.assignRole(app.objectId, 'AcrPush', registry.id);
    const decision = fakes.acr.authorizeWorkloadIdentity(registry, request(app.appId));
    assert.ok('failure' in decision);
    assert.match(decision.message, /AADSTS70021/);
  });

  it('rejects an unknown client id and tenant', () => {
    const unknownApp = fakes.acr.authorizeWorkloadIdentity(registry, request('00000000-1111-2222-3333-444444444444'));
    assert.ok('failure' in unknownApp);
    assert.match(unknownApp.message, /AADSTS700016/);
    const unknownTenant = fakes.acr.authorizeWorkloadIdentity(registry, request(federatedApp('AcrPush'), { tenantId: '99999999-0000-0000-0000-000000000000' }));
    assert.ok('failure' in unknownTenant);
    assert.match(unknownTenant.message, /AADSTS90002/);
  });

  it('rejects an expired token', () => {
    const clientId = federatedApp('AcrPush');
    const token = podToken();
    clock.advance(3601);
    const decision = fakes.acr.authorizeWorkloadIdentity(registry, request(clientId, { federatedToken: token }));
    assert.ok('failure' in decision);
    assert.match(decision.message, /AADSTS700024/);
  });

  it('names the cloud\'s authority in the error', () => {
    const decision = fakes.acr.authorizeWorkloadIdentity(registry, request('00000000-1111-2222-3333-444444444444', { environment: 'AzureChinaCloud' }));
    assert.ok('failure' in decision);
    assert.match(decision.message, /Endpoint https:\/\/login\.chinacloudapi\.cn\//);
  });
});
