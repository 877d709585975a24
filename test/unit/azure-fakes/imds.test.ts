import assert from 'node:assert/strict';
import type { AzureFakes, ManagedIdentity } from '../../../tools/azure-fakes/index';
import { claimsOf, send, startTestFakes, type TestClock } from './helpers';

const ARM_RESOURCE = 'https://management.azure.com/';
const ACR_RESOURCE = 'https://containerregistry.azure.net';

interface ImdsResponse {
  status: number;
  json: Record<string, unknown>;
}

describe('fake IMDS managed identity endpoint', () => {
  let fakes: AzureFakes;
  let clock: TestClock;
  let subscriptionId: string;
  let clusterId: string;
  let system: ManagedIdentity;
  let builder: ManagedIdentity;

  before(async () => {
    ({ fakes, clock } = await startTestFakes());
    subscriptionId = fakes.arm.addSubscription().id;
    fakes.arm.addResourceGroup(subscriptionId, 'build-rg');
    clusterId = fakes.arm.addManagedCluster({ subscriptionId, resourceGroup: 'build-rg', name: 'aks1', userKubeconfig: 'apiVersion: v1\nkind: Config\n' }).id;
    system = fakes.imds.enableSystemAssigned();
    builder = fakes.imds.assignUserAssigned({ name: 'builder', subscriptionId });
  });

  after(async () => {
    await fakes.stop();
  });

  beforeEach(() => {
    clock.offsetMs = 0;
    fakes.clearRequests();
  });

  /** Sends a token request as MSAL Node does: GET with `Metadata: true`, unless `headers` replaces it. */
  async function requestToken(query: Record<string, string>, headers: Record<string, string> = { Metadata: 'true' }, path = '/metadata/identity/oauth2/token'): Promise<ImdsResponse> {
    const response = await fetch(`${fakes.imds.url}${path}?${new URLSearchParams(query)}`, { headers });
    const text = await response.text();
    return { status: response.status, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text } };
  }

  function tokenQuery(extra: Record<string, string> = {}): Record<string, string> {
    return { 'api-version': '2018-02-01', resource: ARM_RESOURCE, ...extra };
  }

  function assertImdsError(response: ImdsResponse, error: string): string {
    assert.equal(response.status, 400, JSON.stringify(response.json));
    assert.equal(response.json.error, error);
    return String(response.json.error_description);
  }

  function listClusterUserCredential(token: string) {
    const path = `${clusterId}/listClusterUserCredential?api-version=2024-05-01`;
    return send(fakes, 'POST', `${fakes.arm.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  }

  describe('tokens', () => {
    it('serves plain HTTP on loopback', () => {
      assert.match(fakes.imds.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.deepEqual(fakes.imds.environment(), { AZURE_POD_IDENTITY_AUTHORITY_HOST: fakes.imds.url });
    });

    it('system-assigned token has identity claims', async () => {
      const response = await requestToken(tokenQuery());
      assert.equal(response.status, 200, JSON.stringify(response.json));
      const claims = claimsOf(String(response.json.access_token));
      assert.equal(claims.appid, system.clientId);
      assert.equal(claims.oid, system.objectId);
      assert.equal(claims.tid, fakes.entra.tenantId);
      assert.equal(claims.aud, ARM_RESOURCE);
      assert.equal(claims.appidacr, '2');
    });

    it('answers in the documented shape', async () => {
      const response = await requestToken(tokenQuery());
      const claims = claimsOf(String(response.json.access_token));
      assert.equal(response.json.token_type, 'Bearer');
      assert.equal(response.json.resource, ARM_RESOURCE);
      assert.equal(response.json.refresh_token, '');
      assert.equal(response.json.expires_on, String(claims.exp));
      assert.equal(response.json.not_before, String(claims.nbf));
      assert.equal(response.json.expires_in, '3599');
    });

    it('selects user-assigned by each id', async () => {
      const selectors: Record<string, string>[] = [{ client_id: builder.clientId }, { object_id: builder.objectId }, { msi_res_id: builder.resourceId ?? '' }];
      for (const selector of selectors) {
        const response = await requestToken(tokenQuery({ ...selector, resource: ACR_RESOURCE }));
        assert.equal(response.status, 200, JSON.stringify(response.json));
        assert.equal(claimsOf(String(response.json.access_token)).oid, builder.objectId, JSON.stringify(selector));
      }
    });

    it('accepts the slash MSAL appends', async () => {
      const response = await requestToken(tokenQuery(), { Metadata: 'true' }, '/metadata/identity/oauth2/token/');
      assert.equal(response.status, 200);
    });

    it('lists issued tokens', async () => {
      const before = fakes.imds.issuedTokens().length;
      const response = await requestToken(tokenQuery());
      await requestToken(tokenQuery({ resource: 'https://nothing.example.test' }));
      const issued = fakes.imds.issuedTokens();

      assert.equal(issued.length, before + 1);
      assert.equal(issued[issued.length - 1], response.json.access_token);
    });

    it('records requests as imds', async () => {
      await requestToken(tokenQuery({ client_id: builder.clientId }));
      const [recorded] = fakes.requests('imds');
      assert.equal(recorded.method, 'GET');
      assert.equal(recorded.query.client_id, builder.clientId);
      assert.equal(recorded.headers.metadata, 'true');
      assert.equal(recorded.status, 200);
    });

    it('ARM authorizes by role assignment', async () => {
      const token = String((await requestToken(tokenQuery())).json.access_token);
      assert.equal((await listClusterUserCredential(token)).status, 403);
      fakes.arm.assignRole(system.objectId, 'Azure Kubernetes Service Cluster User Role', clusterId);
      try {
        assert.equal((await listClusterUserCredential(token)).status, 200);
      } finally {
        fakes.arm.removeRoleAssignments(system.objectId, clusterId);
      }
    });

    it('ACR exchange needs a registry role', async () => {
      const registry = await fakes.acr.addRegistry({ subscriptionId, resourceGroup: 'build-rg', name: 'imdsimages' });
      const token = String((await requestToken(tokenQuery({ client_id: builder.clientId, resource: ACR_RESOURCE }))).json.access_token);
      const form = { grant_type: 'access_token', service: registry.loginServer, tenant: fakes.entra.tenantId, access_token: token };
      assert.equal((await send(fakes, 'POST', `${registry.url}/oauth2/exchange`, { form })).status, 401);
      fakes.arm.assignRole(builder.objectId, 'AcrPush', registry.id);
      const exchanged = await send(fakes, 'POST', `${registry.url}/oauth2/exchange`, { form });
      assert.equal(exchanged.status, 200, exchanged.text);
      assert.equal(fakes.acr.verifyRefreshToken(String(exchanged.json.refresh_token), registry.loginServer).valid, true);
    });

    it('issues tokens for the configured lifetime', async () => {
      fakes.entra.tokenLifetimeSeconds = 0;
      try {
        const token = String((await requestToken(tokenQuery())).json.access_token);
        const response = await listClusterUserCredential(token);
        assert.equal(response.status, 401);
        assert.equal((response.json.error as { code: string }).code, 'ExpiredAuthenticationToken');
      } finally {
        fakes.entra.tokenLifetimeSeconds = 3599;
      }
    });
  });

  describe('rejections', () => {
    it('requires the Metadata header', async () => {
      assert.equal(assertImdsError(await requestToken(tokenQuery(), {}), 'bad_request_102'), 'Required metadata header not specified');
      assertImdsError(await requestToken(tokenQuery(), { Metadata: 'True' }), 'bad_request_102');
      assertImdsError(await requestToken(tokenQuery(), { Metadata: 'false' }), 'bad_request_102');
    });

    it('requires a supported api-version', async () => {
      const missing = await requestToken({ resource: ARM_RESOURCE });
      assert.equal(missing.status, 400);
      assert.match(String(missing.json.error), /api-version was not specified/);
      assert.ok(Array.isArray(missing.json['newest-versions']));
      for (const version of ['2017-12-01', '2030-01-01', 'latest']) {
        const unsupported = await requestToken(tokenQuery({ 'api-version': version }));
        assert.equal(unsupported.status, 400, version);
        assert.match(String(unsupported.json.error), /api-version is invalid/, version);
      }
    });

    it('requires the resource', async () => {
      const description = assertImdsError(await requestToken({ 'api-version': '2018-02-01' }), 'invalid_request');
      assert.equal(description, "Required query variable 'resource' is missing");
    });

    it('rejects an unknown resource', async () => {
      const description = assertImdsError(await requestToken(tokenQuery({ resource: 'https://nothing.example.test' })), 'invalid_resource');
      assert.match(description, /^AADSTS50001: The application named https:\/\/nothing\.example\.test wasn't found/);
    });

    it('rejects an identity not on the machine', async () => {
      const other = fakes.entra.addApp({ displayName: 'not-assigned' });
      const selectors: Record<string, string>[] = [{ client_id: other.appId }, { object_id: other.objectId }, { msi_res_id: '/subscriptions/x/providers/y' }];
      for (const selector of selectors) {
        assert.equal(assertImdsError(await requestToken(tokenQuery(selector)), 'invalid_request'), 'Identity not found', JSON.stringify(selector));
      }
    });

    it('rejects two selectors at once', async () => {
      assertImdsError(await requestToken(tokenQuery({ client_id: builder.clientId, object_id: builder.objectId })), 'invalid_request');
    });

    it('rejects other paths and methods', async () => {
      assert.equal((await requestToken(tokenQuery(), { Metadata: 'true' }, '/metadata/instance')).status, 404);
      const posted = await fetch(`${fakes.imds.url}/metadata/identity/oauth2/token?${new URLSearchParams(tokenQuery())}`, { method: 'POST', headers: { Metadata: 'true' } });
      assert.equal(posted.status, 405);
    });
  });

  describe('identity selection without selector', () => {
    it('uses the only user-assigned identity', async () => {
      fakes.imds.disableSystemAssigned();
      try {
        const response = await requestToken(tokenQuery());
        assert.equal(claimsOf(String(response.json.access_token)).oid, builder.objectId);
      } finally {
        system = fakes.imds.enableSystemAssigned();
      }
    });

    it('needs a selector for several user-assigned', async () => {
      fakes.imds.disableSystemAssigned();
      const second = fakes.imds.assignUserAssigned({ name: 'second' });
      try {
        const description = assertImdsError(await requestToken(tokenQuery()), 'invalid_request');
        assert.match(description, /^Multiple user assigned identities exist/);
      } finally {
        fakes.imds.unassignUserAssigned(second.clientId);
        system = fakes.imds.enableSystemAssigned();
      }
    });

    it('finds no identity on a bare machine', async () => {
      fakes.imds.disableSystemAssigned();
      fakes.imds.unassignUserAssigned(builder.clientId);
      try {
        assert.equal(assertImdsError(await requestToken(tokenQuery()), 'invalid_request'), 'Identity not found');
        assert.equal(assertImdsError(await requestToken(tokenQuery({ client_id: builder.clientId })), 'invalid_request'), 'Identity not found');
      } finally {
        builder = fakes.imds.assignUserAssigned({ name: 'builder', subscriptionId });
        system = fakes.imds.enableSystemAssigned();
      }
    });
  });
});
