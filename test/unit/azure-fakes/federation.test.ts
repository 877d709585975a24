import assert from 'node:assert/strict';
import { AzurePipelinesCredential, ClientAssertionCredential } from '@azure/identity';
import { REDACTED, type AzureFakes, type ServiceConnection, type StartedJob } from '../../../tools/azure-fakes/index';
import { guidToBase64Url } from '../../../tools/azure-fakes/shared/ids';
import { claimsOf, failureOf, identityOptions, send, startTestFakes, type TestClock } from './helpers';

const ACR_SCOPE = 'https://containerregistry.azure.net/.default';
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

describe('fake Entra ID: workload identity federation', () => {
  let fakes: AzureFakes;
  let clock: TestClock;
  let connection: ServiceConnection;
  let job: StartedJob;

  before(async () => {
    ({ fakes, clock } = await startTestFakes());
    fakes.devops.addProject('web');
    connection = fakes.devops.addServiceConnection({ project: 'web', name: 'aks-prod' });
    job = fakes.devops.startJob({ project: 'web', serviceConnections: [connection.id] });
  });

  after(async () => {
    await fakes.stop();
  });

  beforeEach(() => {
    fakes.clearRequests();
    clock.offsetMs = 0;
  });

  /** Requests the service connection's OIDC token as a task would. */
  async function oidcToken(connectionId = connection.id): Promise<string> {
    const response = await send(fakes, 'POST', `${job.oidcRequestUri}?api-version=7.1&serviceConnectionId=${connectionId}`, {
      headers: { Authorization: `Bearer ${job.accessToken}`, 'Content-Type': 'application/json' },
    });
    assert.equal(response.status, 200, response.text);
    return String(response.json.oidcToken);
  }

  /** Registers an app that trusts the connection, unless `credential` describes another federated credential. */
  function federatedApp(credential: { issuer?: string; subject?: string; audiences?: string[] } | 'none' = {}): string {
    const app = fakes.entra.addApp({ displayName: 'federated' });
    if (credential !== 'none') {
      fakes.entra.addFederatedCredential(app.appId, {
        issuer: credential.issuer ?? connection.issuer,
        subject: credential.subject ?? connection.subject,
        audiences: credential.audiences,
      });
    }
    return app.appId;
  }

  function exchange(appId: string, assertion: string, extra: Record<string, string> = {}) {
    return send(fakes, 'POST', `${fakes.entra.url}/${fakes.entra.tenantId}/oauth2/v2.0/token`, {
      form: { grant_type: 'client_credentials', client_id: appId, scope: ACR_SCOPE, client_assertion: assertion, client_assertion_type: JWT_BEARER, ...extra },
    });
  }

  function assertRejected(response: { status: number; json: Record<string, unknown> }, status: number, error: string, code: number): void {
    assert.equal(response.status, status);
    assert.equal(response.json.error, error);
    assert.deepEqual(response.json.error_codes, [code]);
    assert.match(String(response.json.error_description), new RegExp(`^AADSTS${code}: `));
  }

  describe('accepted assertions', () => {
    it('ClientAssertionCredential exchanges DevOps token', async () => {
      const appId = federatedApp();
      const credential = new ClientAssertionCredential(fakes.entra.tenantId, appId, () => oidcToken(), identityOptions(fakes));
      const token = await credential.getToken(ACR_SCOPE);
      const claims = fakes.entra.verifyAccessToken(token.token);
      assert.equal(claims.aud, 'https://containerregistry.azure.net');
      assert.equal(claims.appid, appId);
      assert.equal(claims.appidacr, '2');
      const tokenRequest = fakes.requests('entra').find((entry) => entry.method === 'POST');
      assert.equal(tokenRequest?.form?.client_assertion, REDACTED);
      assert.equal(tokenRequest?.form?.client_assertion_type, JWT_BEARER);
    });

    it('AzurePipelinesCredential gets a token', async () => {
      const appId = federatedApp();
      const saved = process.env.SYSTEM_OIDCREQUESTURI;
      process.env.SYSTEM_OIDCREQUESTURI = job.oidcRequestUri;
      try {
        const credential = new AzurePipelinesCredential(fakes.entra.tenantId, appId, connection.id, job.accessToken, identityOptions(fakes));
        const token = await credential.getToken('https://management.azure.com/.default');
        assert.equal(fakes.entra.verifyAccessToken(token.token).appid, appId);
      } finally {
        if (saved === undefined) delete process.env.SYSTEM_OIDCREQUESTURI;
        else process.env.SYSTEM_OIDCREQUESTURI = saved;
      }
      const oidcRequest = fakes.requests('devops')[0];
      assert.equal(oidcRequest.query['api-version'], '7.1');
      assert.equal(oidcRequest.query.serviceConnectionId, connection.id);
      assert.equal(oidcRequest.headers.authorization, `Bearer ${REDACTED}`);
    });

    it('accepts Entra-issuer connection', async () => {
      const entraConnection = fakes.devops.addServiceConnection({ project: 'web', name: 'aks-entra', issuer: 'entra' });
      const entraJob = fakes.devops.startJob({ project: 'web', serviceConnections: [entraConnection.id] });
      assert.equal(entraConnection.issuer, `${fakes.entra.url}/${fakes.entra.tenantId}/v2.0`);
      assert.match(entraConnection.subject, new RegExp(`^/eid1/c/pub/t/[A-Za-z0-9_-]{22}/a/rISbSSETf0KqFyZ8ppdXmA/sc/${fakes.devops.organizationId}/${entraConnection.id}$`));
      const appId = federatedApp({ issuer: entraConnection.issuer, subject: entraConnection.subject });
      const response = await send(fakes, 'POST', `${entraJob.oidcRequestUri}?api-version=7.1&serviceConnectionId=${entraConnection.id}`, {
        headers: { Authorization: `Bearer ${entraJob.accessToken}` },
      });
      assert.equal(response.status, 200);
      const assertion = String(response.json.oidcToken);
      assert.equal(claimsOf(assertion).iss, entraConnection.issuer);
      assert.equal((await exchange(appId, assertion)).status, 200);
    });
  });

  describe('rejected assertions', () => {
    it('no federated credential: AADSTS70021', async () => {
      const response = await exchange(federatedApp('none'), await oidcToken());
      assertRejected(response, 400, 'invalid_request', 70021);
      assert.match(String(response.json.error_description), new RegExp(`Assertion Subject: '${connection.subject}'`));
    });

    it('other issuer: AADSTS700211', async () => {
      const response = await exchange(federatedApp({ issuer: 'https://vstoken.dev.azure.com/00000000-1111-2222-3333-444444444444' }), await oidcToken());
      assertRejected(response, 401, 'invalid_client', 700211);
      assert.match(String(response.json.error_description), new RegExp(`issuer '${connection.issuer}'`));
    });

    it('other subject: AADSTS700213', async () => {
      const response = await exchange(federatedApp({ subject: 'sc://contoso/web/other-connection' }), await oidcToken());
      assertRejected(response, 401, 'invalid_client', 700213);
      assert.match(String(response.json.error_description), new RegExp(`subject '${connection.subject}'`));
    });

    it('subject case differs: AADSTS7002138', async () => {
      const response = await exchange(federatedApp({ subject: connection.subject.toUpperCase() }), await oidcToken());
      assertRejected(response, 401, 'invalid_client', 7002138);
    });

    it('other audience: AADSTS700212', async () => {
      const response = await exchange(federatedApp({ audiences: ['api://SomethingElse'] }), await oidcToken());
      assertRejected(response, 401, 'invalid_client', 700212);
      assert.match(String(response.json.error_description), /audience 'api:\/\/AzureADTokenExchange'/);
    });

    it('pipeline token: AADSTS700213', async () => {
      const response = await send(fakes, 'POST', `${job.oidcRequestUri}?api-version=7.1`, { headers: { Authorization: `Bearer ${job.accessToken}` } });
      assert.match(String(claimsOf(String(response.json.oidcToken)).sub), /^p:\/\/contoso\/web\//);
      assertRejected(await exchange(federatedApp(), String(response.json.oidcToken)), 401, 'invalid_client', 700213);
    });

    it('tampered signature: AADSTS700027', async () => {
      const token = await oidcToken();
      const signature = token.split('.')[2];
      const tampered = `${token.slice(0, -signature.length)}${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
      assertRejected(await exchange(federatedApp(), tampered), 401, 'invalid_client', 700027);
    });

    it('expired assertion: AADSTS700024', async () => {
      const appId = federatedApp();
      const token = await oidcToken();
      clock.advance(301);
      const response = await exchange(appId, token);
      assertRejected(response, 401, 'invalid_client', 700024);
      assert.match(
        String(response.json.error_description),
        /Current time: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z, assertion valid from \S+Z, expiry time of assertion \S+Z\./,
      );
      const credential = new ClientAssertionCredential(fakes.entra.tenantId, appId, async () => token, identityOptions(fakes));
      assert.match((await failureOf(credential.getToken(ACR_SCOPE))).message, /AADSTS700024/);
    });

    it('not a JWT: AADSTS50027', async () => {
      assertRejected(await exchange(federatedApp(), 'not-a-jwt'), 401, 'invalid_client', 50027);
    });

    it('wrong or missing assertion type', async () => {
      const appId = federatedApp();
      const token = await oidcToken();
      assertRejected(await exchange(appId, token, { client_assertion_type: 'urn:other' }), 400, 'invalid_request', 90100);
      const response = await send(fakes, 'POST', `${fakes.entra.url}/${fakes.entra.tenantId}/oauth2/v2.0/token`, {
        form: { grant_type: 'client_credentials', client_id: appId, scope: ACR_SCOPE, client_assertion: token },
      });
      assertRejected(response, 400, 'invalid_request', 900144);
    });

    it('assertion with client secret', async () => {
      const appId = federatedApp();
      const secret = fakes.entra.addClientSecret(appId);
      assertRejected(await exchange(appId, await oidcToken(), { client_secret: secret }), 400, 'invalid_request', 9002313);
    });
  });

  describe('federated credential registration', () => {
    it('encodes GUIDs in .NET byte order', () => {
      // Pairs computed with Python's base64.urlsafe_b64encode(uuid.UUID(id).bytes_le).
      assert.equal(guidToBase64Url('499b84ac-1321-427f-aa17-267ca6975798'), 'rISbSSETf0KqFyZ8ppdXmA');
      assert.equal(guidToBase64Url('9d8f559b-5984-46a4-902a-ad4271e83efa'), 'm1WPnYRZpEaQKq1Cceg--g');
      assert.throws(() => guidToBase64Url('not-a-guid'), /Not a GUID/);
    });

    it('rejects duplicate and 21st credential', () => {
      const appId = federatedApp();
      assert.throws(() => fakes.entra.addFederatedCredential(appId, { issuer: connection.issuer, subject: connection.subject }), /already has a federated credential/);
      for (let index = 1; index < 20; index += 1) {
        fakes.entra.addFederatedCredential(appId, { issuer: connection.issuer, subject: `sc://contoso/web/c${index}` });
      }
      assert.throws(() => fakes.entra.addFederatedCredential(appId, { issuer: connection.issuer, subject: 'sc://contoso/web/c21' }), /already has 20/);
    });
  });
});
