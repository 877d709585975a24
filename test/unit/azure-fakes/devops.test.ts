import assert from 'node:assert/strict';
import type { AzureFakes, ServiceConnection, StartedJob } from '../../../tools/azure-fakes/index';
import { claimsOf, send, startTestFakes, type RawResponse } from './helpers';

describe('fake Azure DevOps OIDC endpoint', () => {
  let fakes: AzureFakes;
  let connection: ServiceConnection;
  let unreferenced: ServiceConnection;
  let job: StartedJob;

  before(async () => {
    ({ fakes } = await startTestFakes());
    fakes.devops.addProject('web');
    fakes.devops.addProject('other');
    connection = fakes.devops.addServiceConnection({ project: 'web', name: 'aks-prod' });
    unreferenced = fakes.devops.addServiceConnection({ project: 'web', name: 'acr-prod' });
    job = fakes.devops.startJob({ project: 'web', serviceConnections: [connection.id], stage: 'Build', job: 'Image' });
  });

  after(async () => {
    await fakes.stop();
  });

  function post(url: string, headers: Record<string, string> = { Authorization: `Bearer ${job.accessToken}` }): Promise<RawResponse> {
    return send(fakes, 'POST', url, { headers });
  }

  function assertVssError(response: RawResponse, status: number, typeKey: string): void {
    assert.equal(response.status, status);
    assert.equal(response.json.typeKey, typeKey);
    assert.equal(typeof response.json.message, 'string');
    assert.match(String(response.json.typeName), new RegExp(`\\.${typeKey}, `));
  }

  describe('issued tokens', () => {
    it('connection token names the connection', async () => {
      const response = await post(`${job.oidcRequestUri}?api-version=7.1&serviceConnectionId=${connection.id}`);
      assert.equal(response.status, 200);
      const token = String(response.json.oidcToken);
      const claims = claimsOf(token);
      assert.equal(claims.iss, `https://vstoken.dev.azure.com/${fakes.devops.organizationId}`);
      assert.equal(claims.sub, 'sc://contoso/web/aks-prod');
      assert.equal(claims.aud, 'api://AzureADTokenExchange');
      assert.equal(Number(claims.exp) - Number(claims.iat), 300);
      assert.equal(Number(claims.iat) - Number(claims.nbf), 600);
      assert.match(String(claims.jti), /^[0-9a-f-]{36}$/);
      assert.equal(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).alg, 'RS256');
    });

    it('job exposes system variable values', () => {
      assert.equal(job.collectionUri, `${fakes.devops.url}/contoso/`);
      assert.equal(job.oidcRequestUri, `${job.collectionUri}${job.projectId}/_apis/distributedtask/hubs/build/plans/${job.planId}/jobs/${job.jobId}/oidctoken`);
    });

    it('accepts project name, preview version', async () => {
      const byName = `${job.collectionUri}web/_apis/distributedtask/hubs/build/plans/${job.planId}/jobs/${job.jobId}/oidctoken`;
      const response = await post(`${byName}?api-version=7.1-preview.1&serviceConnectionId=${connection.id}`);
      assert.equal(response.status, 200);
    });

    it('reads api-version from Accept header', async () => {
      const response = await post(`${job.oidcRequestUri}?serviceConnectionId=${connection.id}`, {
        Authorization: `Bearer ${job.accessToken}`,
        Accept: 'application/json; api-version=7.1',
      });
      assert.equal(response.status, 200);
    });

    it('issues pipeline token without connection', async () => {
      const response = await post(`${job.oidcRequestUri}?api-version=7.1`);
      const claims = claimsOf(String(response.json.oidcToken));
      assert.equal(claims.sub, 'p://contoso/web/pipeline');
      assert.equal(claims.prj_id, job.projectId);
      assert.equal(claims.org_id, fakes.devops.organizationId);
    });
  });

  describe('authentication', () => {
    it('returns 401 when redirect suppressed', async () => {
      const response = await post(`${job.oidcRequestUri}?api-version=7.1`, { 'X-TFS-FedAuthRedirect': 'Suppress' });
      assert.equal(response.status, 401);
    });

    it('redirects to sign-in without token', async () => {
      const response = await post(`${job.oidcRequestUri}?api-version=7.1`, {});
      assert.equal(response.status, 302);
      const location = String(response.headers.location);
      assert.ok(location.startsWith(`${fakes.devops.url}/_signin?`), location);
      assert.match(response.text, /Object moved/);
      assert.equal((await send(fakes, 'GET', location)).status, 200);
    });

    it('returns 401 for unknown token', async () => {
      const response = await post(`${job.oidcRequestUri}?api-version=7.1`, { Authorization: 'Bearer made-up', 'X-TFS-FedAuthRedirect': 'Suppress' });
      assert.equal(response.status, 401);
    });

    it('returns 401 after job ended', async () => {
      const ended = fakes.devops.startJob({ project: 'web', serviceConnections: [connection.id] });
      fakes.devops.endJob(ended.accessToken);
      const response = await post(`${ended.oidcRequestUri}?api-version=7.1&serviceConnectionId=${connection.id}`, {
        Authorization: `Bearer ${ended.accessToken}`,
        'X-TFS-FedAuthRedirect': 'Suppress',
      });
      assert.equal(response.status, 401);
    });
  });

  describe('rejections', () => {
    it('requires an api-version', async () => {
      assertVssError(await post(job.oidcRequestUri), 400, 'VssVersionNotSpecifiedException');
    });

    it('rejects versions outside supported range', async () => {
      assertVssError(await post(`${job.oidcRequestUri}?api-version=7.0`), 404, 'VssResourceNotFoundException');
      assertVssError(await post(`${job.oidcRequestUri}?api-version=7.2`), 400, 'VssInvalidPreviewVersionException');
      assertVssError(await post(`${job.oidcRequestUri}?api-version=7.3`), 400, 'VssVersionOutOfRangeException');
      assertVssError(await post(`${job.oidcRequestUri}?api-version=latest`), 400, 'VssInvalidApiVersionException');
      assert.equal((await post(`${job.oidcRequestUri}?api-version=7.2-preview.1`)).status, 200);
    });

    it('rejects unreferenced service connection', async () => {
      const response = await post(`${job.oidcRequestUri}?api-version=7.1&serviceConnectionId=${unreferenced.id}`);
      assert.equal(response.status, 400);
      assert.equal(response.json.value, `There is no explicit reference to service connection ${unreferenced.id} from current stage Build.Image.__default.`);
      assert.equal(response.json.count, String(response.json.value).length);
    });

    it('rejects unknown service connection', async () => {
      const unknown = '12345678-1234-1234-1234-123456789012';
      const response = await post(`${job.oidcRequestUri}?api-version=7.1&serviceConnectionId=${unknown}`);
      assert.equal(response.status, 400);
      assert.match(String(response.json.value), new RegExp(`service connection ${unknown}`));
    });

    it('returns 404 for foreign plan, job, project', async () => {
      const base = `${job.collectionUri}${job.projectId}/_apis/distributedtask/hubs/build/plans`;
      const otherId = '00000000-0000-4000-8000-000000000000';
      assertVssError(await post(`${base}/${otherId}/jobs/${job.jobId}/oidctoken?api-version=7.1`), 404, 'TaskOrchestrationPlanNotFoundException');
      assertVssError(await post(`${base}/${job.planId}/jobs/${otherId}/oidctoken?api-version=7.1`), 404, 'TaskOrchestrationJobNotFoundException');
      const otherProject = `${job.collectionUri}other/_apis/distributedtask/hubs/build/plans/${job.planId}/jobs/${job.jobId}/oidctoken?api-version=7.1`;
      assertVssError(await post(otherProject), 404, 'TaskOrchestrationPlanNotFoundException');
      const missingProject = `${job.collectionUri}missing/_apis/distributedtask/hubs/build/plans/${job.planId}/jobs/${job.jobId}/oidctoken?api-version=7.1`;
      const response = await post(missingProject);
      assertVssError(response, 404, 'ProjectDoesNotExistWithNameException');
      assert.match(String(response.json.message), /^TF200016: The following project does not exist: missing\./);
    });

    it('returns 404 and 405 for other requests', async () => {
      const otherOrganization = job.oidcRequestUri.replace('/contoso/', '/fabrikam/');
      assert.equal((await post(`${otherOrganization}?api-version=7.1`)).status, 404);
      const get = await send(fakes, 'GET', `${job.oidcRequestUri}?api-version=7.1`, { headers: { Authorization: `Bearer ${job.accessToken}` } });
      assert.equal(get.status, 405);
    });
  });
});
