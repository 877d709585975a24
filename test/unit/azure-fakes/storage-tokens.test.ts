// Storage tokens from the fake Entra ID: issued only to principals with a Storage Blob Data role
// that allows writing blobs, because Azurite, the storage stand-in, checks no roles itself.
import assert from 'node:assert/strict';
import type { AzureFakes } from '../../../tools/azure-fakes/index';
import { send, startTestFakes } from './helpers';

const STORAGE_SCOPE = 'https://storage.azure.com/.default';
const ARM_SCOPE = 'https://management.azure.com/.default';

describe('fake Entra ID storage tokens', () => {
  let fakes: AzureFakes;
  let accountScope: string;

  before(async () => {
    ({ fakes } = await startTestFakes());
    const subscription = fakes.arm.addSubscription().id;
    accountScope = `${fakes.arm.addResourceGroup(subscription, 'rg-storage')}/providers/Microsoft.Storage/storageAccounts/kanikostorage`;
  });

  after(async () => {
    await fakes.stop();
  });

  function newApp(): { appId: string; objectId: string; secret: string } {
    const app = fakes.entra.addApp({ displayName: 'storage-builder' });
    return { appId: app.appId, objectId: app.objectId, secret: fakes.entra.addClientSecret(app.appId) };
  }

  function requestToken(app: { appId: string; secret: string }, scope: string) {
    return send(fakes, 'POST', `${fakes.entra.url}/${fakes.entra.tenantId}/oauth2/v2.0/token`, {
      form: { grant_type: 'client_credentials', client_id: app.appId, client_secret: app.secret, scope },
    });
  }

  it('rejects a principal without a role', async () => {
    const response = await requestToken(newApp(), STORAGE_SCOPE);

    assert.equal(response.status, 400);
    assert.equal(response.json.error, 'unauthorized_client');
    assert.match(String(response.json.error_description), /only to principals with a Storage Blob Data role/);
    assert.match(String(response.json.error_description), /403 AuthorizationPermissionMismatch/);
  });

  it('issues with Storage Blob Data Contributor', async () => {
    const app = newApp();
    fakes.arm.assignRole(app.objectId, 'Storage Blob Data Contributor', accountScope);
    const response = await requestToken(app, STORAGE_SCOPE);

    assert.equal(response.status, 200, response.text);
    const claims = fakes.entra.verifyAccessToken(String(response.json.access_token));
    assert.equal(claims.aud, 'https://storage.azure.com');
    assert.equal(claims.iss, `https://sts.windows.net/${fakes.entra.tenantId}/`);
    assert.equal(claims.oid, app.objectId);
  });

  it('issues with the role on a container', async () => {
    const app = newApp();
    fakes.arm.assignRole(app.objectId, 'Storage Blob Data Contributor', `${accountScope}/blobServices/default/containers/kaniko-contexts`);
    const response = await requestToken(app, STORAGE_SCOPE);

    assert.equal(response.status, 200, response.text);
  });

  it('rejects Storage Blob Data Reader', async () => {
    const app = newApp();
    fakes.arm.assignRole(app.objectId, 'Storage Blob Data Reader', accountScope);
    const response = await requestToken(app, STORAGE_SCOPE);

    assert.equal(response.status, 400);
    assert.equal(response.json.error, 'unauthorized_client');
  });

  it('rejects after the role is removed', async () => {
    const app = newApp();
    fakes.arm.assignRole(app.objectId, 'Storage Blob Data Contributor', accountScope);
    fakes.arm.removeRoleAssignments(app.objectId, accountScope);
    const response = await requestToken(app, STORAGE_SCOPE);

    assert.equal(response.status, 400);
  });

  it('IMDS rejects an identity without a role', async () => {
    const identity = fakes.imds.assignUserAssigned({ name: 'no-storage-role' });
    const query = new URLSearchParams({ 'api-version': '2018-02-01', resource: 'https://storage.azure.com/', client_id: identity.clientId });
    const response = await fetch(`${fakes.imds.url}/metadata/identity/oauth2/token?${query}`, { headers: { Metadata: 'true' } });
    const body = (await response.json()) as { error?: string; error_description?: string };

    assert.equal(response.status, 400);
    assert.equal(body.error, 'invalid_request');
    assert.match(body.error_description ?? '', /only to principals with a Storage Blob Data role/);
  });

  it('IMDS issues with the role', async () => {
    const identity = fakes.imds.assignUserAssigned({ name: 'storage-writer' });
    fakes.arm.assignRole(identity.objectId, 'Storage Blob Data Contributor', accountScope);
    const query = new URLSearchParams({ 'api-version': '2018-02-01', resource: 'https://storage.azure.com/', client_id: identity.clientId });
    const response = await fetch(`${fakes.imds.url}/metadata/identity/oauth2/token?${query}`, { headers: { Metadata: 'true' } });

    assert.equal(response.status, 200, await response.text());
  });

  it('other resources need no storage role', async () => {
    const response = await requestToken(newApp(), ARM_SCOPE);

    assert.equal(response.status, 200, response.text);
  });
});
