import assert from 'node:assert/strict';
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { ClientSecretCredential } from '@azure/identity';
import { REDACTED, type AzureFakes } from '../../../tools/azure-fakes/index';
import { claimsOf, failureOf, identityOptions, send, startTestFakes, type TestClock } from './helpers';

const ARM_SCOPE = 'https://management.azure.com/.default';

describe('fake Entra ID', () => {
  let fakes: AzureFakes;
  let clock: TestClock;
  let appId: string;
  let objectId: string;
  let secret: string;

  before(async () => {
    ({ fakes, clock } = await startTestFakes());
    const app = fakes.entra.addApp({ displayName: 'builder' });
    appId = app.appId;
    objectId = app.objectId;
    secret = fakes.entra.addClientSecret(appId);
  });

  after(async () => {
    await fakes.stop();
  });

  beforeEach(() => {
    fakes.clearRequests();
    clock.offsetMs = 0;
    fakes.entra.tokenLifetimeSeconds = 3599;
  });

  function tokenUrl(tenant = fakes.entra.tenantId): string {
    return `${fakes.entra.url}/${tenant}/oauth2/v2.0/token`;
  }

  function requestToken(form: Record<string, string>, headers: Record<string, string> = {}) {
    return send(fakes, 'POST', tokenUrl(), { form, headers });
  }

  function secretForm(overrides: Record<string, string> = {}): Record<string, string> {
    return { grant_type: 'client_credentials', client_id: appId, client_secret: secret, scope: ARM_SCOPE, ...overrides };
  }

  function assertAadsts(response: { status: number; json: Record<string, unknown> }, status: number, error: string, code: number): void {
    assert.equal(response.status, status);
    assert.equal(response.json.error, error);
    assert.deepEqual(response.json.error_codes, [code]);
    assert.match(String(response.json.error_description), new RegExp(`^AADSTS${code}: `));
    assert.match(String(response.json.error_description), /Trace ID: [0-9a-f-]{36} Correlation ID: [0-9a-f-]{36} Timestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    assert.match(String(response.json.timestamp), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  }

  describe('ClientSecretCredential', () => {
    it('issues ARM token with expected claims', async () => {
      const credential = new ClientSecretCredential(fakes.entra.tenantId, appId, secret, identityOptions(fakes));
      const token = await credential.getToken(ARM_SCOPE);
      const claims = fakes.entra.verifyAccessToken(token.token);
      assert.equal(claims.aud, 'https://management.azure.com/');
      assert.equal(claims.tid, fakes.entra.tenantId);
      assert.equal(claims.oid, objectId);
      assert.equal(claims.appid, appId);
      assert.equal(claims.appidacr, '1');
      assert.equal(claims.iss, `https://sts.windows.net/${fakes.entra.tenantId}/`);
      assert.equal(claims.exp - claims.iat, 3599);
    });

    it('records form with secret redacted', async () => {
      await new ClientSecretCredential(fakes.entra.tenantId, appId, secret, identityOptions(fakes)).getToken(ARM_SCOPE);
      const [discovery, token] = fakes.requests('entra');
      assert.equal(discovery.path, `/${fakes.entra.tenantId}/v2.0/.well-known/openid-configuration`);
      assert.equal(token.method, 'POST');
      assert.equal(token.path, `/${fakes.entra.tenantId}/oauth2/v2.0/token`);
      assert.equal(token.form?.grant_type, 'client_credentials');
      assert.equal(token.form?.client_id, appId);
      assert.equal(token.form?.scope, ARM_SCOPE);
      assert.equal(token.form?.client_secret, REDACTED);
      assert.ok(!JSON.stringify(fakes.requests()).includes(secret));
    });

    it('applies configured token lifetime', async () => {
      fakes.entra.tokenLifetimeSeconds = 120;
      const response = await requestToken(secretForm());
      assert.equal(response.status, 200);
      assert.equal(response.json.token_type, 'Bearer');
      assert.equal(response.json.expires_in, 120);
      const claims = claimsOf(String(response.json.access_token));
      assert.equal(Number(claims.exp) - Number(claims.iat), 120);
    });

    it('wrong secret gets AADSTS7000215', async () => {
      const credential = new ClientSecretCredential(fakes.entra.tenantId, appId, 'not-the-secret', identityOptions(fakes));
      const error = await failureOf(credential.getToken(ARM_SCOPE));
      assert.match(error.message, /invalid_client/);
      assert.match(error.message, /AADSTS7000215: Invalid client secret provided/);
      assertAadsts(await requestToken(secretForm({ client_secret: 'not-the-secret' })), 401, 'invalid_client', 7000215);
    });

    it('disabled app gets AADSTS7000112', async () => {
      fakes.entra.setAppDisabled(appId, true);
      try {
        const error = await failureOf(new ClientSecretCredential(fakes.entra.tenantId, appId, secret, identityOptions(fakes)).getToken(ARM_SCOPE));
        assert.match(error.message, /AADSTS7000112: Application '[0-9a-f-]+'\(builder\) is disabled/);
        assertAadsts(await requestToken(secretForm()), 400, 'unauthorized_client', 7000112);
      } finally {
        fakes.entra.setAppDisabled(appId, false);
      }
    });
  });

  describe('discovery', () => {
    it('serves document that MSAL validates', async () => {
      const response = await send(fakes, 'GET', `${fakes.entra.url}/${fakes.entra.tenantId}/v2.0/.well-known/openid-configuration`);
      assert.equal(response.status, 200);
      assert.equal(response.json.issuer, `${fakes.entra.url}/${fakes.entra.tenantId}/v2.0`);
      assert.equal(response.json.token_endpoint, tokenUrl());
      assert.equal(response.json.jwks_uri, `${fakes.entra.url}/${fakes.entra.tenantId}/discovery/v2.0/keys`);
      assert.equal(response.json.authorization_endpoint, `${fakes.entra.url}/${fakes.entra.tenantId}/oauth2/v2.0/authorize`);
    });

    it('publishes key verifying access tokens', async () => {
      const token = String((await requestToken(secretForm())).json.access_token);
      const keys = (await send(fakes, 'GET', `${fakes.entra.url}/${fakes.entra.tenantId}/discovery/v2.0/keys`)).json.keys as JsonWebKey[];
      const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as { kid: string; alg: string };
      const jwk = keys.find((key) => key.kid === header.kid);
      assert.ok(jwk, 'no JWKS key matches the token kid');
      assert.equal(header.alg, 'RS256');
      const [head, body, signature] = token.split('.');
      assert.ok(verify('sha256', Buffer.from(`${head}.${body}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(signature, 'base64url')));
    });

    it('returns invalid_tenant for unknown tenant', async () => {
      const unknown = '11111111-2222-3333-4444-555555555555';
      const response = await send(fakes, 'GET', `${fakes.entra.url}/${unknown}/v2.0/.well-known/openid-configuration`);
      assert.equal(response.status, 400);
      assert.equal(response.json.error, 'invalid_tenant');
      assert.match(String(response.json.error_description), new RegExp(`^AADSTS90002: Tenant '${unknown}' not found`));
    });
  });

  describe('token endpoint rejections', () => {
    it('unknown tenant gets AADSTS90002', async () => {
      const response = await send(fakes, 'POST', tokenUrl('11111111-2222-3333-4444-555555555555'), { form: secretForm() });
      assertAadsts(response, 400, 'invalid_request', 90002);
    });

    it('GET gets AADSTS900561', async () => {
      assertAadsts(await send(fakes, 'GET', tokenUrl()), 400, 'invalid_request', 900561);
    });

    it('requires grant_type, client_id, scope', async () => {
      for (const field of ['grant_type', 'client_id', 'scope']) {
        const form = secretForm();
        delete form[field];
        const response = await requestToken(form);
        assertAadsts(response, 400, 'invalid_request', 900144);
        assert.match(String(response.json.error_description), new RegExp(`parameter: '${field}'`));
      }
    });

    it('other grant type gets AADSTS70003', async () => {
      assertAadsts(await requestToken(secretForm({ grant_type: 'password' })), 400, 'unsupported_grant_type', 70003);
    });

    it('unknown client gets AADSTS700016', async () => {
      const response = await requestToken(secretForm({ client_id: '99999999-8888-7777-6666-555555555555' }));
      assertAadsts(response, 400, 'unauthorized_client', 700016);
    });

    it('foreign-tenant app gets AADSTS700016', async () => {
      const other = fakes.entra.addTenant();
      const foreign = fakes.entra.addApp({ tenantId: other.id });
      const foreignSecret = fakes.entra.addClientSecret(foreign.appId);
      const response = await requestToken(secretForm({ client_id: foreign.appId, client_secret: foreignSecret }));
      assertAadsts(response, 400, 'unauthorized_client', 700016);
    });

    it('expired secret gets AADSTS7000222', async () => {
      const app = fakes.entra.addApp();
      const expired = fakes.entra.addClientSecret(app.appId, { expiresAt: clock.now() + 60_000 });
      assert.equal((await requestToken(secretForm({ client_id: app.appId, client_secret: expired }))).status, 200);
      clock.advance(61);
      assertAadsts(await requestToken(secretForm({ client_id: app.appId, client_secret: expired })), 401, 'invalid_client', 7000222);
    });

    it('missing credential gets AADSTS7000218', async () => {
      const form = secretForm();
      delete form.client_secret;
      assertAadsts(await requestToken(form), 401, 'invalid_client', 7000218);
    });

    it('accepts secret as HTTP Basic', async () => {
      const form = secretForm();
      delete form.client_secret;
      delete form.client_id;
      const basic = Buffer.from(`${appId}:${encodeURIComponent(secret)}`).toString('base64');
      const response = await requestToken(form, { Authorization: `Basic ${basic}` });
      assert.equal(response.status, 200);
      assert.equal(fakes.requests('entra')[0].headers.authorization, `Basic ${REDACTED}`);
    });

    it('scope without .default gets AADSTS1002012', async () => {
      assertAadsts(await requestToken(secretForm({ scope: 'https://management.azure.com/user_impersonation' })), 400, 'invalid_scope', 1002012);
    });

    it('two scopes get AADSTS70011', async () => {
      const response = await requestToken(secretForm({ scope: `${ARM_SCOPE} https://storage.azure.com/.default` }));
      assertAadsts(response, 400, 'invalid_scope', 70011);
    });

    it('unknown resource gets AADSTS500011', async () => {
      const response = await requestToken(secretForm({ scope: 'https://unknown.example.test/.default' }));
      assertAadsts(response, 400, 'invalid_resource', 500011);
      assert.match(String(response.json.error_description), /resource principal named https:\/\/unknown\.example\.test was not found/);
    });

    it('echoes client request id', async () => {
      const response = await send(fakes, 'POST', `${tokenUrl()}?client-request-id=0a0b0c0d-0000-4000-8000-000000000001`, {
        form: secretForm({ client_secret: 'wrong' }),
      });
      assert.equal(response.json.correlation_id, '0a0b0c0d-0000-4000-8000-000000000001');
    });
  });

  describe('resources', () => {
    it('issues tokens for well-known resources', async () => {
      const expected: Record<string, string> = {
        'https://containerregistry.azure.net/.default': 'https://containerregistry.azure.net',
        '6dae42f8-4368-4678-94ff-3960e28e3630/.default': '6dae42f8-4368-4678-94ff-3960e28e3630',
        'https://management.core.windows.net//.default': 'https://management.core.windows.net/',
        '499b84ac-1321-427f-aa17-267ca6975798/.default': '499b84ac-1321-427f-aa17-267ca6975798',
      };
      for (const [scope, audience] of Object.entries(expected)) {
        const response = await requestToken(secretForm({ scope }));
        assert.equal(response.status, 200, scope);
        assert.equal(claimsOf(String(response.json.access_token)).aud, audience, scope);
      }
    });

    it('verifyAccessToken rejects foreign tokens', () => {
      const valid = fakes.entra.verifyAccessToken.bind(fakes.entra);
      assert.throws(() => valid('not.a.jwt'), /not a JSON Web Token/);
      const [head, body] = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.AAAA'.split('.');
      assert.throws(() => valid(`${head}.${body}.AAAA`), /not signed by the fake Entra ID/);
    });
  });
});
