// AKS clusters reached through an Azure Resource Manager connection, against local fakes of
// Entra ID, the pipeline's OIDC endpoint and Azure Resource Manager.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { startAzureFakes, type AzureFakes } from '../../../tools/azure-fakes/index';
import type { EndpointSpec } from '../../../tools/runner';
import { sharedStandIns } from '../stand-ins';
import {
  assertNoSecretInOutput, assertNothingLeft, containerExists, errors, REGISTRY_CONNECTION, runBuild, type BuildScenario,
} from './harness';
import { ACR_REFRESH_TOKEN_USER } from '../../../tasks/KanikoBuildV1/src/settings/registry';

const ARM_CONNECTION = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';
const BASE_CONNECTION = '4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a';
const SMALL_BUILD = { Dockerfile: 'FROM alpine:3.20\nRUN echo aks\n' };

describe('KanikoBuild with an Azure Resource Manager connection', function () {
  this.timeout(120_000);

  let fakes: AzureFakes;
  let caFile: string;
  let subscriptionId: string;
  const resourceGroup = 'rg-builds';
  const clusterName = 'aks-build';

  before(async () => {
    const { cluster } = await sharedStandIns();
    fakes = await startAzureFakes();
    caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'azure-fakes-ca-')), 'ca.pem');
    fs.writeFileSync(caFile, fakes.caPem);
    subscriptionId = fakes.arm.addSubscription().id;
    fakes.arm.addResourceGroup(subscriptionId, resourceGroup);
    fakes.arm.addManagedCluster({ subscriptionId, resourceGroup, name: clusterName, userKubeconfig: cluster.kubeconfig() });
  });

  after(async () => {
    await fakes?.stop();
    if (caFile) fs.rmSync(path.dirname(caFile), { recursive: true, force: true });
  });

  function clusterScope(): string {
    return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${clusterName}`;
  }

  function armEndpoint(scheme: string, parameters: Record<string, string>): EndpointSpec {
    return {
      url: fakes.arm.url,
      scheme,
      parameters: { tenantid: fakes.entra.tenantId, ...parameters },
      data: {
        subscriptionid: subscriptionId,
        environmentAuthorityUrl: fakes.entra.url,
        activeDirectoryServiceEndpointResourceId: 'https://management.core.windows.net/',
      },
    };
  }

  /**
   * Registers an Entra app that trusts the registry connection of a new project's job, and
   * starts that job. The app has no role yet.
   */
  function federatedRegistryApp(project: string) {
    const app = fakes.entra.addApp({ displayName: `kaniko-${project}` });
    fakes.devops.addProject(project);
    const connection = fakes.devops.addServiceConnection({ project, name: `registry-${project}`, id: REGISTRY_CONNECTION });
    fakes.entra.addFederatedCredential(app.appId, { issuer: connection.issuer, subject: connection.subject });
    const job = fakes.devops.startJob({ project, serviceConnections: [connection.id] });
    return { app, job };
  }

  /** Returns the scenario parts for an ACR connection with workload identity federation in the fake job. */
  function acrFederatedScenario(loginServer: string, appId: string, job: { accessToken: string; oidcRequestUri: string }): Partial<BuildScenario> {
    return {
      registryEndpoint: {
        url: `https://${loginServer}`,
        scheme: 'WorkloadIdentityFederation',
        parameters: { loginServer, serviceprincipalid: appId, tenantId: fakes.entra.tenantId },
        data: { registrytype: 'ACR', environmentAuthorityUrl: fakes.entra.url },
      },
      accessToken: job.accessToken,
      variables: { 'System.OidcRequestUri': job.oidcRequestUri },
      env: { NODE_EXTRA_CA_CERTS: caFile },
    };
  }

  function aksScenario(connectionId: string, endpoint: EndpointSpec, extra: Partial<BuildScenario> = {}): BuildScenario {
    return {
      files: SMALL_BUILD,
      clusterEndpoint: null,
      extraEndpoints: { [connectionId]: endpoint },
      inputs: {
        connectionType: 'azureResourceManager',
        kubernetesServiceConnection: undefined,
        azureSubscriptionEndpoint: connectionId,
        azureResourceGroup: resourceGroup,
        kubernetesCluster: clusterName,
      },
      env: { NODE_EXTRA_CA_CERTS: caFile },
      ...extra,
    };
  }

  it('service principal secret gets the credentials', async () => {
    const app = fakes.entra.addApp({ displayName: 'kaniko-builds' });
    const secret = fakes.entra.addClientSecret(app.appId);
    fakes.arm.assignRole(app.objectId, 'Azure Kubernetes Service Cluster User Role', clusterScope());
    const build = await runBuild(aksScenario(ARM_CONNECTION, armEndpoint('ServicePrincipal', {
      serviceprincipalid: app.appId, serviceprincipalkey: secret,
    })));
    build.secrets.push(secret);
    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.ok(build.run.log.some((line) => line.includes(`Getting the credentials of AKS cluster ${clusterName}`)));
    const listed = fakes.requests('arm').filter((request) => request.path.endsWith('/listClusterUserCredential'));
    assert.ok(listed.length > 0, 'the task did not call listClusterUserCredential');
    await assertNothingLeft(build);
    assertNoSecretInOutput(build);
  });

  it('workload identity federation needs no secret', async () => {
    const app = fakes.entra.addApp({ displayName: 'kaniko-builds-federated' });
    fakes.arm.assignRole(app.objectId, 'Azure Kubernetes Service Cluster User Role', clusterScope());
    fakes.devops.addProject('web');
    const connection = fakes.devops.addServiceConnection({ project: 'web', name: 'build-subscription' });
    fakes.entra.addFederatedCredential(app.appId, { issuer: connection.issuer, subject: connection.subject });
    const job = fakes.devops.startJob({ project: 'web', serviceConnections: [connection.id] });
    const build = await runBuild(aksScenario(connection.id, armEndpoint('WorkloadIdentityFederation', {
      serviceprincipalid: app.appId,
    }), {
      accessToken: job.accessToken,
      variables: { 'System.OidcRequestUri': job.oidcRequestUri },
    }));
    build.secrets.push(job.accessToken);
    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.ok(fakes.requests('devops').some((request) => request.path.endsWith('/oidctoken')), 'no OIDC token was requested');
    await assertNothingLeft(build);
    assertNoSecretInOutput(build);
  });

  it('missing role fails before anything is created', async () => {
    const app = fakes.entra.addApp({ displayName: 'kaniko-builds-no-role' });
    const secret = fakes.entra.addClientSecret(app.appId);
    const build = await runBuild(aksScenario(ARM_CONNECTION, armEndpoint('ServicePrincipal', {
      serviceprincipalid: app.appId, serviceprincipalkey: secret,
    })));
    build.secrets.push(secret);
    assert.equal(build.run.result, 'Failed');
    const text = errors(build.run);
    assert.match(text, /Could not get the credentials of AKS cluster aks-build in resource group rg-builds/);
    assert.match(text, /HTTP 403 AuthorizationFailed/);
    assert.match(text, /Cluster User Role/);
    assert.equal(await containerExists(build), false, 'the blob container was created');
    await assertNothingLeft(build);
    assertNoSecretInOutput(build);
  });

  it('Entra-integrated cluster needs no kubelogin', async () => {
    const standIns = await sharedStandIns();
    const entraCluster = 'aks-entra';
    const serverApp = '6dae42f8-4368-4678-94ff-3960e28e3630';
    fakes.entra.addResource(serverApp);
    // The cluster accepts Entra tokens for the AKS server application, as AKS's Entra ID
    // integration does, and maps them to a user with every right.
    standIns.cluster.addTokenVerifier((token) => {
      try {
        const claims = fakes.entra.verifyAccessToken(token) as unknown as { aud?: string; exp?: number; oid?: string };
        const current = (claims.aud === serverApp || claims.aud === `api://${serverApp}`) && (claims.exp ?? 0) * 1000 > Date.now();
        return current ? { name: `entra:${claims.oid}`, rules: [{ verbs: ['*'], resources: ['*'] }] } : undefined;
      } catch {
        return undefined;
      }
    });
    fakes.arm.addManagedCluster({
      subscriptionId, resourceGroup, name: entraCluster, userKubeconfig: kubeloginKubeconfig(standIns.cluster.url, standIns.cluster.caPem),
    });
    const app = fakes.entra.addApp({ displayName: 'kaniko-builds-entra' });
    const secret = fakes.entra.addClientSecret(app.appId);
    fakes.arm.assignRole(app.objectId, 'Azure Kubernetes Service Cluster User Role',
      `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${entraCluster}`);
    const scenario = aksScenario(ARM_CONNECTION, armEndpoint('ServicePrincipal', { serviceprincipalid: app.appId, serviceprincipalkey: secret }));
    scenario.inputs = { ...scenario.inputs, kubernetesCluster: entraCluster };
    const build = await runBuild(scenario);
    build.secrets.push(secret);
    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    const tokenRequests = fakes.requests('entra').filter((request) => request.form?.scope?.startsWith(serverApp));
    assert.ok(tokenRequests.length > 0, 'no token was requested for the AKS server application');
    await assertNothingLeft(build);
    assertNoSecretInOutput(build);
  });

  it('ACR with workload identity federation pushes with a refresh token', async () => {
    const standIns = await sharedStandIns();
    const registry = await fakes.acr.addRegistry({ subscriptionId, resourceGroup, name: 'kanikobuilds' });
    standIns.cluster.addRegistry(registry.loginServer, {
      verify: (username, password) => {
        const check = fakes.acr.verifyRefreshToken(password, registry.loginServer);
        return username === ACR_REFRESH_TOKEN_USER && check.valid && check.canPush;
      },
    });
    const { app, job } = federatedRegistryApp('images');
    fakes.arm.assignRole(app.objectId, 'AcrPush', registry.id);
    const build = await runBuild({
      files: SMALL_BUILD,
      ...acrFederatedScenario(registry.loginServer, app.appId, job),
    });
    build.secrets.push(job.accessToken);
    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.equal(build.run.variables.imageName?.value.startsWith(`${registry.loginServer}/samples/flask-app@sha256:`), true);
    assert.ok(fakes.requests('acr').some((request) => request.path === '/oauth2/exchange'), 'no token exchange happened');
    await assertNothingLeft(build);
    assertNoSecretInOutput(build);
  });

  it('ACR base image connection pulls with a refresh token', async () => {
    const standIns = await sharedStandIns();
    const registry = await fakes.acr.addRegistry({ subscriptionId, resourceGroup, name: 'kanikobaseimages' });
    standIns.cluster.addRegistry(registry.loginServer, {
      verify: (username, password) => {
        const check = fakes.acr.verifyRefreshToken(password, registry.loginServer);
        return username === ACR_REFRESH_TOKEN_USER && check.valid && check.canPull;
      },
    });

    // An app with AcrPull that trusts the base image connection of a new project's job.
    const app = fakes.entra.addApp({ displayName: 'kaniko-base-images' });
    fakes.devops.addProject('baseimages');
    const connection = fakes.devops.addServiceConnection({ project: 'baseimages', name: 'base-images', id: BASE_CONNECTION });
    fakes.entra.addFederatedCredential(app.appId, { issuer: connection.issuer, subject: connection.subject });
    fakes.arm.assignRole(app.objectId, 'AcrPull', registry.id);
    const job = fakes.devops.startJob({ project: 'baseimages', serviceConnections: [connection.id] });

    const build = await runBuild({
      files: { Dockerfile: `FROM ${registry.loginServer}/python:3.12\nRUN echo base\n` },
      inputs: { baseImageRegistries: BASE_CONNECTION },
      extraEndpoints: {
        [BASE_CONNECTION]: {
          url: `https://${registry.loginServer}`,
          scheme: 'WorkloadIdentityFederation',
          parameters: { loginServer: registry.loginServer, serviceprincipalid: app.appId, tenantId: fakes.entra.tenantId },
          data: { registrytype: 'ACR', environmentAuthorityUrl: fakes.entra.url },
        },
      },
      accessToken: job.accessToken,
      variables: { 'System.OidcRequestUri': job.oidcRequestUri },
      env: { NODE_EXTRA_CA_CERTS: caFile },
    });
    build.secrets.push(job.accessToken);

    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.ok(fakes.requests('acr').some((request) => request.path === '/oauth2/exchange'), 'no token exchange happened');
    assert.match(build.run.log.join('\n'), /Retrieving image manifest \S+\/python:3\.12/);
    await assertNothingLeft(build);
    assertNoSecretInOutput(build);
  });

  it('ACR identity without a role fails before anything is created', async () => {
    const registry = await fakes.acr.addRegistry({ subscriptionId, resourceGroup, name: 'kanikonorole' });
    const { app, job } = federatedRegistryApp('norole');
    const build = await runBuild({
      files: SMALL_BUILD,
      ...acrFederatedScenario(registry.loginServer, app.appId, job),
    });
    build.secrets.push(job.accessToken);
    assert.equal(build.run.result, 'Failed');
    // The agent masks the connection's login server, an authorization parameter, in the log.
    assert.match(errors(build.run), new RegExp(`Could not get a token for registry \\S+ through service connection ${REGISTRY_CONNECTION}`));
    assert.match(errors(build.run), /oauth2\/exchange returned HTTP 401: UNAUTHORIZED: The identity \S+ has no role on registry kanikonorole/);
    assert.equal(build.record, undefined, 'a pod was created');
    assert.equal(await containerExists(build), false, 'the blob container was created');
    await assertNothingLeft(build);
    assertNoSecretInOutput(build);
  });

  it('expired Entra token fails with the ARM error', async () => {
    const app = fakes.entra.addApp({ displayName: 'kaniko-builds-expired' });
    const secret = fakes.entra.addClientSecret(app.appId);
    fakes.arm.assignRole(app.objectId, 'Azure Kubernetes Service Cluster User Role', clusterScope());
    const lifetime = fakes.entra.tokenLifetimeSeconds;
    fakes.entra.tokenLifetimeSeconds = 0;
    try {
      const build = await runBuild(aksScenario(ARM_CONNECTION, armEndpoint('ServicePrincipal', {
        serviceprincipalid: app.appId, serviceprincipalkey: secret,
      })));
      build.secrets.push(secret);
      assert.equal(build.run.result, 'Failed');
      assert.match(errors(build.run), /listClusterUserCredential returned HTTP 401 ExpiredAuthenticationToken/);
      await assertNothingLeft(build);
      assertNoSecretInOutput(build);
    } finally {
      fakes.entra.tokenLifetimeSeconds = lifetime;
    }
  });

  it('wrong secret fails with the Entra error', async () => {
    const app = fakes.entra.addApp({ displayName: 'kaniko-builds-wrong-secret' });
    fakes.entra.addClientSecret(app.appId);
    fakes.arm.assignRole(app.objectId, 'Azure Kubernetes Service Cluster User Role', clusterScope());
    const build = await runBuild(aksScenario(ARM_CONNECTION, armEndpoint('ServicePrincipal', {
      serviceprincipalid: app.appId, serviceprincipalkey: 'not-the-secret-of-this-app',
    })));
    build.secrets.push('not-the-secret-of-this-app');
    assert.equal(build.run.result, 'Failed');
    assert.match(errors(build.run), /AADSTS7000215/);
    await assertNothingLeft(build);
    assertNoSecretInOutput(build);
  });
});

/** Returns a kubeconfig like the one AKS returns for clusters with Entra ID integration: its user runs kubelogin. */
function kubeloginKubeconfig(server: string, caPem: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'aks-entra', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    contexts: [{ name: 'aks-entra', context: { cluster: 'aks-entra', user: 'clusterUser_rg-builds_aks-entra' } }],
    'current-context': 'aks-entra',
    users: [{
      name: 'clusterUser_rg-builds_aks-entra',
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: 'kubelogin',
          args: ['get-token', '--environment', 'AzurePublicCloud', '--server-id', '6dae42f8-4368-4678-94ff-3960e28e3630',
            '--client-id', '80faf920-1908-4b52-b5ef-a8e7bedfc67a', '--tenant-id', '72f988bf-86f1-41af-91ab-2d7cd011db47', '--login', 'devicecode'],
          interactiveMode: 'IfAvailable',
        },
      },
    }],
  });
}
