import assert from 'node:assert/strict';
import { request } from 'node:https';
import { generateServerCertificates } from '../../../tools/local-cluster/apiserver/certificates';
import { startAzureFakes } from '../../../tools/azure-fakes/index';
import { send } from './helpers';

/** Sends a GET that trusts only the system CAs and resolves with the error code it fails with. */
function getWithoutCa(url: string): Promise<string> {
  return new Promise((resolve) => {
    const call = request(url, { method: 'GET' }, (response) => {
      response.resume();
      resolve(`HTTP ${response.statusCode}`);
    });
    call.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    call.end();
  });
}

describe('startAzureFakes', () => {
  it('listens locally with given options', async () => {
    const certificates = generateServerCertificates();
    const fakes = await startAzureFakes({ tenantId: '0A1B2C3D-0000-4000-8000-000000000001', certificates, organization: 'fabrikam' });
    try {
      assert.equal(fakes.caPem, certificates.caPem);
      assert.equal(fakes.entra.tenantId, '0a1b2c3d-0000-4000-8000-000000000001');
      assert.equal(fakes.devops.organizationName, 'fabrikam');
      const subscriptionId = fakes.arm.addSubscription().id;
      fakes.arm.addResourceGroup(subscriptionId, 'rg');
      const registry = await fakes.acr.addRegistry({ subscriptionId, resourceGroup: 'rg', name: 'fabrikamimages' });
      for (const url of [fakes.entra.url, fakes.devops.url, fakes.arm.url, registry.url]) {
        assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
      }
      assert.equal(new Set([fakes.entra.url, fakes.devops.url, fakes.arm.url, registry.url]).size, 4);
    } finally {
      await fakes.stop();
    }
  });

  it('certificate needs the fakes CA', async () => {
    const fakes = await startAzureFakes();
    try {
      assert.match(await getWithoutCa(`${fakes.entra.url}/`), /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
      assert.equal((await send(fakes, 'GET', `${fakes.entra.url}/`)).status, 404);
    } finally {
      await fakes.stop();
    }
  });

  it('records and clears requests', async () => {
    const fakes = await startAzureFakes();
    try {
      await send(fakes, 'GET', `${fakes.entra.url}/${fakes.entra.tenantId}/discovery/v2.0/keys`);
      await send(fakes, 'POST', `${fakes.arm.url}/subscriptions?api-version=2022-12-01`);
      assert.deepEqual(
        fakes.requests().map((entry) => `${entry.service} ${entry.method} ${entry.status}`),
        ['entra GET 200', 'arm POST 404'],
      );
      assert.equal(fakes.requests('arm')[0].query['api-version'], '2022-12-01');
      fakes.clearRequests();
      assert.deepEqual(fakes.requests(), []);
    } finally {
      await fakes.stop();
    }
  });

  it('rejects bodies over 1 MiB', async () => {
    const fakes = await startAzureFakes();
    try {
      const response = await send(fakes, 'POST', `${fakes.entra.url}/${fakes.entra.tenantId}/oauth2/v2.0/token`, { body: 'x'.repeat(1024 * 1024 + 1) });
      assert.equal(response.status, 413);
    } finally {
      await fakes.stop();
    }
  });

  it('rejects invalid percent-encoding', async () => {
    const fakes = await startAzureFakes();
    try {
      for (const url of [`${fakes.entra.url}/%E0%A4%A/oauth2/v2.0/token`, `${fakes.devops.collectionUri}%ZZ/_apis/distributedtask/hubs/build/plans/p/jobs/j/oidctoken`]) {
        const response = await send(fakes, 'POST', url);
        assert.equal(response.status, 400);
        assert.match(response.text, /invalid percent-encoding/);
      }
      assert.deepEqual(
        fakes.requests().map((entry) => `${entry.service} ${entry.status}`),
        ['entra 400', 'devops 400'],
      );
    } finally {
      await fakes.stop();
    }
  });

  it('stops every server', async () => {
    const fakes = await startAzureFakes();
    const subscriptionId = fakes.arm.addSubscription().id;
    fakes.arm.addResourceGroup(subscriptionId, 'rg');
    const registry = await fakes.acr.addRegistry({ subscriptionId, resourceGroup: 'rg', name: 'stoppedimages' });
    await fakes.stop();
    for (const url of [fakes.entra.url, fakes.devops.url, fakes.arm.url, registry.url]) {
      await assert.rejects(send(fakes, 'GET', `${url}/`), (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED');
    }
    await assert.rejects(fetch(`${fakes.imds.url}/`), (error: Error) => (error.cause as NodeJS.ErrnoException).code === 'ECONNREFUSED');
  });
});
