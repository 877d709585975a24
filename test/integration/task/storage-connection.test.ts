// Storage through an Azure Resource Manager connection (storageConnection) instead of the account
// key: the task uploads with an Entra ID token and signs a user delegation SAS that the init
// container reads. Azurite runs with HTTPS and `--oauth basic`, and one CA covers Azurite, the
// Azure fakes and the local cluster's containers.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { request as httpsRequest } from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { assertImdsSourceSelectable, startAzureFakes, type AzureFakes } from '../../../tools/azure-fakes/index';
import { startAzurite, type AzuriteBlob } from '../../../tools/azurite';
import { generateServerCertificates } from '../../../tools/local-cluster/apiserver/certificates';
import { LocalCluster } from '../../../tools/local-cluster/index';
import type { EndpointSpec } from '../../../tools/runner';
import { STAND_IN_REGISTRY, type StandIns } from '../stand-ins';
import {
  assertNoSecretInOutput, assertNothingLeft, buildRecordingSecrets, containerExists, errors, runBuild, type BuildScenario,
} from './harness';

const STORAGE_CONNECTION = '8f9a0b1c-2d3e-4f5a-8b6c-7d8e9f0a1b2c';
const SMALL_BUILD = { Dockerfile: 'FROM alpine:3.20\nCOPY app.txt /app.txt\n', 'app.txt': 'context\n' };

describe('KanikoBuild with a storage connection', function () {
  this.timeout(120_000);

  let fakes: AzureFakes;
  let azurite: AzuriteBlob;
  let cluster: LocalCluster;
  let standIns: StandIns;
  let caFile: string;
  let subscriptionId: string;
  let accountScope: string;

  before(async () => {
    const certificates = generateServerCertificates();
    fakes = await startAzureFakes({ certificates });
    azurite = await startAzurite({ oauth: true, certificates });
    cluster = await LocalCluster.start({
      kubelet: {
        resolveBlobService: () => undefined,
        registryCredentials: { [STAND_IN_REGISTRY.host]: { username: STAND_IN_REGISTRY.username, password: STAND_IN_REGISTRY.password } },
        httpsCaCertificates: [certificates.caPem],
      },
    });
    standIns = { azurite, cluster };
    caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'storage-connection-ca-')), 'ca.pem');
    fs.writeFileSync(caFile, certificates.caPem);
    subscriptionId = fakes.arm.addSubscription().id;
    const group = fakes.arm.addResourceGroup(subscriptionId, 'rg-storage');
    accountScope = `${group}/providers/Microsoft.Storage/storageAccounts/${azurite.accountName}`;
  });

  after(async () => {
    await cluster?.stop();
    await azurite?.stop();
    await fakes?.stop();
    if (caFile) fs.rmSync(path.dirname(caFile), { recursive: true, force: true });
  });

  function storageEndpoint(scheme: string, parameters: Record<string, string>): EndpointSpec {
    return {
      url: fakes.arm.url,
      scheme,
      parameters: { tenantid: fakes.entra.tenantId, ...parameters },
      data: { subscriptionid: subscriptionId, environment: 'AzureCloud', environmentAuthorityUrl: fakes.entra.url },
    };
  }

  function storageScenario(connectionId: string, endpoint: EndpointSpec, extra: Partial<BuildScenario> = {}): BuildScenario {
    return {
      standIns,
      files: SMALL_BUILD,
      extraEndpoints: { [connectionId]: endpoint },
      inputs: { storageAccessKey: undefined, storageConnection: connectionId },
      env: { NODE_EXTRA_CA_CERTS: caFile },
      ...extra,
    };
  }

  function contributorApp(displayName: string): { appId: string; objectId: string } {
    const app = fakes.entra.addApp({ displayName });
    fakes.arm.assignRole(app.objectId, 'Storage Blob Data Contributor', accountScope);
    return app;
  }

  it('Azurite accepts the fake storage token', async () => {
    const app = contributorApp('azurite-check');
    const secret = fakes.entra.addClientSecret(app.appId);
    const token = await fakeStorageToken(fakes, app.appId, secret);
    const start = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const expiry = new Date(Date.now() + 600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const answer = await httpsCall(`${azurite.blobEndpoint}/?restype=service&comp=userdelegationkey`, azurite.caPem ?? '', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'x-ms-version': '2021-08-06', 'Content-Type': 'application/xml' },
      body: `<?xml version="1.0" encoding="utf-8"?><KeyInfo><Start>${start}</Start><Expiry>${expiry}</Expiry></KeyInfo>`,
    });

    assert.equal(answer.status, 200, answer.body);
    assert.match(answer.body, new RegExp(`<SignedOid>${app.objectId}</SignedOid>`));
  });

  it('service principal uploads with a token', async () => {
    const app = contributorApp('kaniko-storage');
    const secret = fakes.entra.addClientSecret(app.appId);
    const { build, secretData } = await buildRecordingSecrets(storageScenario(STORAGE_CONNECTION, storageEndpoint('ServicePrincipal', {
      serviceprincipalid: app.appId, serviceprincipalkey: secret,
    })), 'storage');

    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.deepEqual(build.record?.contextFiles, ['Dockerfile', 'app.txt']);
    const tokenRequests = fakes.requests('entra').filter((request) => request.form?.scope === 'https://storage.azure.com/.default');
    assert.ok(tokenRequests.length > 0, 'the task requested no storage token');

    const sasUrl = secretData.map((data) => data.CONTEXT_URL).find(Boolean);
    assert.ok(sasUrl, 'no Secret held the SAS URL');
    const sas = new URL(sasUrl).searchParams;
    assert.equal(sas.get('sp'), 'r');
    assert.equal(sas.get('sr'), 'b');
    assert.equal(sas.get('skoid'), app.objectId, 'the SAS is not a user delegation SAS of the connection');
    assert.equal(sas.get('sv'), '2025-07-05');
    // The key lives for the default build timeout of 30 minutes plus the 15-minute margin.
    const keyMinutes = (new Date(sas.get('ske') ?? '').getTime() - Date.now()) / 60_000;
    assert.ok(keyMinutes > 40, `the key expires too early: ${sas.get('ske')}`);
    assert.ok(keyMinutes <= 45, `the key expires too late: ${sas.get('ske')}`);
    assert.ok(!JSON.stringify({ pod: build.record?.pod, secretData }).includes(azurite.accountKey), 'the account key reached the cluster');

    build.secrets.push(secret, sasUrl, sas.get('sig') ?? '');
    assertNoSecretInOutput(build);
    await assertNothingLeft(build);
  });

  it('workload identity federation needs no secret', async () => {
    const app = contributorApp('kaniko-storage-federated');
    fakes.devops.addProject('storage');
    const connection = fakes.devops.addServiceConnection({ project: 'storage', name: 'storage-subscription' });
    fakes.entra.addFederatedCredential(app.appId, { issuer: connection.issuer, subject: connection.subject });
    const job = fakes.devops.startJob({ project: 'storage', serviceConnections: [connection.id] });
    const build = await runBuild(storageScenario(connection.id, storageEndpoint('WorkloadIdentityFederation', {
      serviceprincipalid: app.appId,
    }), {
      accessToken: job.accessToken,
      variables: { 'System.OidcRequestUri': job.oidcRequestUri },
    }));

    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.ok(fakes.requests('devops').some((request) => request.path.endsWith('/oidctoken')), 'no OIDC token was requested');
    build.secrets.push(job.accessToken);
    assertNoSecretInOutput(build);
    await assertNothingLeft(build);
  });

  it('managed identity of the agent uploads', async () => {
    assertImdsSourceSelectable();
    const identity = fakes.imds.enableSystemAssigned();
    fakes.arm.assignRole(identity.objectId, 'Storage Blob Data Contributor', accountScope);
    const endpoint: EndpointSpec = {
      url: fakes.arm.url,
      scheme: 'ManagedServiceIdentity',
      parameters: { tenantid: fakes.entra.tenantId },
      data: { subscriptionid: subscriptionId, environment: 'AzureCloud' },
    };
    const scenario = storageScenario(STORAGE_CONNECTION, endpoint);
    const build = await runBuild({ ...scenario, env: { ...scenario.env, ...fakes.imds.environment() } });

    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.ok(fakes.requests('imds').some((request) => /^https:\/\/storage\.azure\.com\/?$/.test(request.query.resource ?? '')), 'no storage token came from IMDS');
    assertNoSecretInOutput(build);
    await assertNothingLeft(build);
  });

  // Real Entra ID would issue the token, and storage would reject the user delegation key request
  // with 403 AuthorizationPermissionMismatch. Azurite checks no roles, so the fake Entra ID rejects
  // the token request instead. test/unit/task/storage-access.test.ts covers the 403 message.
  it('identity without the role fails early', async () => {
    const app = fakes.entra.addApp({ displayName: 'kaniko-no-storage-role' });
    const secret = fakes.entra.addClientSecret(app.appId);
    const build = await runBuild(storageScenario(STORAGE_CONNECTION, storageEndpoint('ServicePrincipal', {
      serviceprincipalid: app.appId, serviceprincipalkey: secret,
    })));

    assert.equal(build.run.result, 'Failed');
    const message = errors(build.run);
    assert.match(message, new RegExp(`storage account ${azurite.accountName} through service connection ${STORAGE_CONNECTION}`));
    assert.match(message, /Storage Blob Data Contributor/);
    assert.equal(await containerExists(build), false, 'the container was created');
    assert.equal(cluster.runs.filter((run) => run.namespace === build.namespace).length, 0, 'a pod ran');
    build.secrets.push(secret);
    assertNoSecretInOutput(build);
    await assertNothingLeft(build);
  });

  it('accountKey delivery needs the key', async () => {
    const app = contributorApp('kaniko-storage-account-key');
    const secret = fakes.entra.addClientSecret(app.appId);
    const scenario = storageScenario(STORAGE_CONNECTION, storageEndpoint('ServicePrincipal', { serviceprincipalid: app.appId, serviceprincipalkey: secret }));
    const build = await runBuild({ ...scenario, inputs: { ...scenario.inputs, contextDelivery: 'accountKey' } });

    assert.equal(build.run.result, 'Failed');
    assert.match(errors(build.run), /Input contextDelivery: accountKey gives kaniko the storage account key, but only storageConnection is set/);
    assert.equal(fakes.requests('entra').filter((request) => request.form?.client_id === app.appId).length, 0, 'the task requested a token');
    await assertNothingLeft(build);
  });

  it('key and connection both missing', async () => {
    const build = await runBuild({ files: SMALL_BUILD, inputs: { storageAccessKey: undefined } });

    assert.equal(build.run.result, 'Failed');
    assert.match(errors(build.run), /Inputs storageAccessKey and storageConnection: both are empty/);
    assert.equal(await containerExists(build), false, 'the container was created');
    await assertNothingLeft(build);
  });
});

/** Gets a Storage token from the fake Entra ID with the client credentials grant. */
async function fakeStorageToken(fakes: AzureFakes, appId: string, secret: string): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: appId, client_secret: secret, scope: 'https://storage.azure.com/.default' });
  const answer = await httpsCall(`${fakes.entra.url}/${fakes.entra.tenantId}/oauth2/v2.0/token`, fakes.caPem, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString(),
  });
  assert.equal(answer.status, 200, answer.body);
  return String((JSON.parse(answer.body) as { access_token: string }).access_token);
}

function httpsCall(url: string, ca: string, options: { method: string; headers: Record<string, string>; body: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const call = httpsRequest(url, { method: options.method, headers: { ...options.headers, 'Content-Length': String(Buffer.byteLength(options.body)) }, ca, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    call.on('error', reject);
    call.end(options.body);
  });
}
