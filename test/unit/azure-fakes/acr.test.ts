import assert from 'node:assert/strict';
import { ClientAssertionCredential } from '@azure/identity';
import { REDACTED, type AzureFakes, type StartedRegistry } from '../../../tools/azure-fakes/index';
import { claimsOf, identityOptions, send, startTestFakes, type RawResponse, type TestClock } from './helpers';

const ARM_SCOPE = 'https://management.azure.com/.default';
const ACR_SCOPE = 'https://containerregistry.azure.net/.default';

interface TestApp {
  appId: string;
  objectId: string;
  secret: string;
}

describe('fake Azure Container Registry token exchange', () => {
  let fakes: AzureFakes;
  let clock: TestClock;
  let subscriptionId: string;
  let registry: StartedRegistry;
  let strictRegistry: StartedRegistry;
  let pusher: TestApp;
  let puller: TestApp;
  let nobody: TestApp;

  before(async () => {
    ({ fakes, clock } = await startTestFakes());
    subscriptionId = fakes.arm.addSubscription().id;
    fakes.arm.addResourceGroup(subscriptionId, 'images');
    registry = await fakes.acr.addRegistry({ subscriptionId, resourceGroup: 'images', name: 'contosoimages' });
    strictRegistry = await fakes.acr.addRegistry({ subscriptionId, resourceGroup: 'images', name: 'contosostrict', armAudienceTokens: false });
    pusher = newApp();
    puller = newApp();
    nobody = newApp();
    fakes.arm.assignRole(pusher.objectId, 'AcrPush', registry.id);
    fakes.arm.assignRole(pusher.objectId, 'AcrPush', strictRegistry.id);
    fakes.arm.assignRole(puller.objectId, 'AcrPull', `/subscriptions/${subscriptionId}/resourceGroups/images`);
  });

  after(async () => {
    await fakes.stop();
  });

  beforeEach(() => {
    clock.offsetMs = 0;
    fakes.clearRequests();
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

  function exchange(target: StartedRegistry, form: Record<string, string>): Promise<RawResponse> {
    return send(fakes, 'POST', `${target.url}/oauth2/exchange`, { form });
  }

  async function refreshTokenFor(app: TestApp, target = registry, scope = ARM_SCOPE): Promise<string> {
    const response = await exchange(target, { grant_type: 'access_token', service: target.loginServer, tenant: fakes.entra.tenantId, access_token: await tokenFor(app, scope) });
    assert.equal(response.status, 200, response.text);
    return String(response.json.refresh_token);
  }

  function assertRegistryError(response: RawResponse, status: number, code: string): string {
    assert.equal(response.status, status, response.text);
    const errors = response.json.errors as { code: string; message: string }[];
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, code);
    return errors[0].message;
  }

  describe('registries', () => {
    it('registry login server is local', () => {
      assert.equal(registry.id, `/subscriptions/${subscriptionId}/resourceGroups/images/providers/Microsoft.ContainerRegistry/registries/contosoimages`);
      assert.match(registry.loginServer, /^127\.0\.0\.1:\d+$/);
      assert.equal(registry.url, `https://${registry.loginServer}`);
      assert.notEqual(registry.loginServer, strictRegistry.loginServer);
    });

    it('challenges anonymous /v2/ requests', async () => {
      const response = await send(fakes, 'GET', `${registry.url}/v2/`);
      assert.equal(response.status, 401);
      assert.equal(response.headers['www-authenticate'], `Bearer realm="https://${registry.loginServer}/oauth2/token",service="${registry.loginServer}"`);
      assertRegistryError(response, 401, 'UNAUTHORIZED');
    });

    it('requires an existing resource group', async () => {
      await assert.rejects(fakes.acr.addRegistry({ subscriptionId, resourceGroup: 'nope', name: 'contosonope' }), /Resource group nope/);
    });
  });

  describe('exchange', () => {
    it('AcrPush app gets push rights', async () => {
      const refreshToken = await refreshTokenFor(pusher);
      const claims = claimsOf(refreshToken);
      assert.equal(claims.iss, 'Azure Container Registry');
      assert.equal(claims.aud, registry.loginServer);
      assert.equal(claims.grant_type, 'refresh_token');
      assert.equal(claims.tenant, fakes.entra.tenantId);
      const check = fakes.acr.verifyRefreshToken(refreshToken, registry.loginServer);
      assert.ok(check.valid);
      assert.equal(check.objectId, pusher.objectId);
      assert.equal(check.canPush, true);
      assert.equal(check.canPull, true);
      assert.equal(check.expiresAt - clock.now() > 3 * 3600 * 1000 - 5000, true);
    });

    it('records exchange with token redacted', async () => {
      await refreshTokenFor(pusher);
      const recorded = fakes.requests('acr')[0];
      assert.equal(recorded.path, '/oauth2/exchange');
      assert.equal(recorded.form?.grant_type, 'access_token');
      assert.equal(recorded.form?.service, registry.loginServer);
      assert.equal(recorded.form?.access_token, REDACTED);
    });

    it('accepts federated ACR-audience token', async () => {
      fakes.devops.addProject('web');
      const connection = fakes.devops.addServiceConnection({ project: 'web', name: 'acr' });
      const job = fakes.devops.startJob({ project: 'web', serviceConnections: [connection.id] });
      const app = fakes.entra.addApp();
      fakes.entra.addFederatedCredential(app.appId, { issuer: connection.issuer, subject: connection.subject });
      fakes.arm.assignRole(app.objectId, 'AcrPush', strictRegistry.id);
      const getAssertion = async () => {
        const response = await send(fakes, 'POST', `${job.oidcRequestUri}?api-version=7.1&serviceConnectionId=${connection.id}`, { headers: { Authorization: `Bearer ${job.accessToken}` } });
        return String(response.json.oidcToken);
      };
      const credential = new ClientAssertionCredential(fakes.entra.tenantId, app.appId, getAssertion, identityOptions(fakes));
      const aadToken = (await credential.getToken(ACR_SCOPE)).token;
      const response = await exchange(strictRegistry, { grant_type: 'access_token', service: strictRegistry.loginServer, access_token: aadToken });
      assert.equal(response.status, 200, response.text);
      assert.equal(fakes.acr.verifyRefreshToken(String(response.json.refresh_token)).valid, true);
    });

    it('AcrPull app gets pull only', async () => {
      const check = fakes.acr.verifyRefreshToken(await refreshTokenFor(puller));
      assert.ok(check.valid);
      assert.equal(check.canPull, true);
      assert.equal(check.canPush, false);
    });
  });

  describe('exchange rejections', () => {
    it('rejects app without registry role', async () => {
      const response = await exchange(registry, { grant_type: 'access_token', service: registry.loginServer, access_token: await tokenFor(nobody) });
      assertRegistryError(response, 401, 'UNAUTHORIZED');
    });

    it('rejects ARM tokens when policy off', async () => {
      const response = await exchange(strictRegistry, { grant_type: 'access_token', service: strictRegistry.loginServer, access_token: await tokenFor(pusher) });
      assert.match(assertRegistryError(response, 401, 'UNAUTHORIZED'), /audience 'https:\/\/management\.azure\.com\/' is not accepted/);
      assert.ok(fakes.acr.verifyRefreshToken(await refreshTokenFor(pusher, strictRegistry, ACR_SCOPE)).valid);
    });

    it('rejects wrong-audience, forged, expired tokens', async () => {
      const form = { grant_type: 'access_token', service: registry.loginServer };
      assertRegistryError(await exchange(registry, { ...form, access_token: await tokenFor(pusher, '6dae42f8-4368-4678-94ff-3960e28e3630/.default') }), 401, 'UNAUTHORIZED');
      assertRegistryError(await exchange(registry, { ...form, access_token: 'eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0.' }), 401, 'UNAUTHORIZED');
      const token = await tokenFor(pusher);
      clock.advance(3600);
      const message = assertRegistryError(await exchange(registry, { ...form, access_token: token }), 401, 'UNAUTHORIZED');
      assert.match(message, /^The access token expired at \d{4}-\d\d-\d\dT[\d:]+\.000Z \(registry time /);
    });

    it('rejects token before its nbf', async () => {
      const token = await tokenFor(pusher);
      clock.advance(-400);
      const message = assertRegistryError(await exchange(registry, { grant_type: 'access_token', service: registry.loginServer, access_token: token }), 401, 'UNAUTHORIZED');
      assert.match(message, /^The access token is not valid before /);
    });

    it('accepts token until just before exp', async () => {
      const token = await tokenFor(pusher);
      clock.advance(3598);
      const response = await exchange(registry, { grant_type: 'access_token', service: registry.loginServer, access_token: token });
      assert.equal(response.status, 200, response.text);
    });

    it('rejects foreign or mismatched tenant', async () => {
      const other = fakes.entra.addTenant();
      const foreign = newApp(other.id);
      fakes.arm.assignRole(foreign.objectId, 'AcrPush', registry.id);
      const form = { grant_type: 'access_token', service: registry.loginServer };
      assertRegistryError(await exchange(registry, { ...form, access_token: await tokenFor(foreign, ARM_SCOPE, other.id) }), 401, 'UNAUTHORIZED');
      assertRegistryError(await exchange(registry, { ...form, tenant: other.id, access_token: await tokenFor(pusher) }), 401, 'UNAUTHORIZED');
    });

    it('rejects malformed forms with 400', async () => {
      const accessToken = await tokenFor(pusher);
      assertRegistryError(await exchange(registry, { grant_type: 'refresh_token', service: registry.loginServer, access_token: accessToken }), 400, 'UNSUPPORTED');
      assertRegistryError(await exchange(registry, { grant_type: 'access_token', access_token: accessToken }), 400, 'BAD_REQUEST');
      assertRegistryError(await exchange(registry, { grant_type: 'access_token', service: 'contoso.azurecr.io', access_token: accessToken }), 400, 'BAD_REQUEST');
      assertRegistryError(await exchange(registry, { grant_type: 'access_token', service: registry.loginServer }), 400, 'BAD_REQUEST');
      assert.equal((await send(fakes, 'GET', `${registry.url}/oauth2/exchange`)).status, 405);
    });
  });

  describe('verifyRefreshToken', () => {
    it('rejects wrong registry, expired, forged', async () => {
      const refreshToken = await refreshTokenFor(pusher);
      const wrongRegistry = fakes.acr.verifyRefreshToken(refreshToken, strictRegistry.loginServer);
      assert.equal(wrongRegistry.valid, false);
      assert.match(wrongRegistry.valid ? '' : wrongRegistry.reason, /issued for registry/);
      assert.equal(fakes.acr.verifyRefreshToken('password').valid, false);
      assert.equal(fakes.acr.verifyRefreshToken(await tokenFor(pusher)).valid, false);
      const [head, , signature] = refreshToken.split('.');
      const forgedBody = Buffer.from(JSON.stringify({ ...claimsOf(refreshToken), permissions: { actions: ['*'] } })).toString('base64url');
      assert.equal(fakes.acr.verifyRefreshToken(`${head}.${forgedBody}.${signature}`).valid, false);
      clock.advance(3 * 3600 + 1);
      const expired = fakes.acr.verifyRefreshToken(refreshToken);
      assert.equal(expired.valid, false);
      assert.match(expired.valid ? '' : expired.reason, /expired/);
    });

    it('applies configured refresh token lifetime', async () => {
      fakes.acr.refreshTokenLifetimeSeconds = 60;
      try {
        const refreshToken = await refreshTokenFor(pusher);
        assert.equal(fakes.acr.verifyRefreshToken(refreshToken).valid, true);
        clock.advance(61);
        assert.equal(fakes.acr.verifyRefreshToken(refreshToken).valid, false);
      } finally {
        fakes.acr.refreshTokenLifetimeSeconds = 3 * 3600;
      }
    });
  });
});
