// Service connections that sign in with the managed identity of the agent's machine, against
// the local fakes of IMDS, Entra ID, Azure Resource Manager and ACR. Every run gets the fake's
// IMDS address in its environment, so no request goes to 169.254.169.254.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createServer } from 'node:net';
import {
  assertImdsSourceSelectable, IMDS_HOST_VARIABLE, startAzureFakes, type AzureFakes, type ManagedIdentity, type StartedRegistry,
} from '../../../tools/azure-fakes/index';
import type { EndpointSpec } from '../../../tools/runner';
import { ACR_REFRESH_TOKEN_USER } from '../../../tasks/KanikoBuildV1/src/settings/registry';
import { sharedStandIns } from '../stand-ins';
import { assertNoSecretInOutput, assertNothingLeft, containerExists, errors, runBuild, type BuildRun, type BuildScenario } from './harness';

const ARM_CONNECTION = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const SMALL_BUILD = { Dockerfile: 'FROM alpine:3.20\nRUN echo managed identity\n' };

describe('KanikoBuild with the agent\'s managed identity', function () {
  this.timeout(120_000);

  let fakes: AzureFakes;
  let caFile: string;
  let subscriptionId: string;
  let system: ManagedIdentity;
  let admin: ManagedIdentity;
  let roleless: ManagedIdentity;
  let registry: StartedRegistry;
  /** Refresh tokens the local cluster's registry received as passwords, for output checks. */
  const registryPasswords: string[] = [];
  const resourceGroup = 'rg-builds';
  const clusterName = 'aks-build';

  before(async () => {
    assertImdsSourceSelectable();
    const { cluster } = await sharedStandIns();
    fakes = await startAzureFakes();
    caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'azure-fakes-ca-')), 'ca.pem');
    fs.writeFileSync(caFile, fakes.caPem);
    subscriptionId = fakes.arm.addSubscription().id;
    fakes.arm.addResourceGroup(subscriptionId, resourceGroup);
    const aks = fakes.arm.addManagedCluster({ subscriptionId, resourceGroup, name: clusterName, userKubeconfig: cluster.kubeconfig() });

    system = fakes.imds.enableSystemAssigned();
    admin = fakes.imds.assignUserAssigned({ name: 'builds-admin', subscriptionId });
    roleless = fakes.imds.assignUserAssigned({ name: 'no-role', subscriptionId });
    fakes.arm.assignRole(system.objectId, 'Azure Kubernetes Service Cluster User Role', aks.id);
    fakes.arm.assignRole(admin.objectId, 'Azure Kubernetes Service Cluster Admin Role', aks.id);

    registry = await fakes.acr.addRegistry({ subscriptionId, resourceGroup, name: 'managedbuilds', armAudienceTokens: false });
    fakes.arm.assignRole(system.objectId, 'AcrPush', registry.id);
    cluster.addRegistry(registry.loginServer, {
      verify: (username, password) => {
        registryPasswords.push(password);
        const check = fakes.acr.verifyRefreshToken(password, registry.loginServer);
        return username === ACR_REFRESH_TOKEN_USER && check.valid && check.canPush;
      },
    });
  });

  after(async () => {
    await fakes?.stop();
    if (caFile) fs.rmSync(path.dirname(caFile), { recursive: true, force: true });
  });

  beforeEach(() => {
    fakes.clearRequests();
  });

  /** Returns the environment of the task process: the fakes' CA, and IMDS at `imdsHost`. */
  function taskEnvironment(imdsHost = fakes.imds.url): Record<string, string> {
    return { NODE_EXTRA_CA_CERTS: caFile, [IMDS_HOST_VARIABLE]: imdsHost };
  }

  /** Returns an "agent-assigned managed identity" Azure Resource Manager connection. */
  function armEndpoint(msiClientId?: string): EndpointSpec {
    return {
      url: fakes.arm.url,
      scheme: 'ManagedServiceIdentity',
      parameters: { tenantid: fakes.entra.tenantId },
      data: {
        subscriptionid: subscriptionId,
        activeDirectoryServiceEndpointResourceId: 'https://management.core.windows.net/',
        ...(msiClientId ? { msiclientId: msiClientId } : {}),
      },
    };
  }

  function aksScenario(options: { msiClientId?: string; admin?: boolean; imdsHost?: string } = {}): BuildScenario {
    return {
      files: SMALL_BUILD,
      clusterEndpoint: null,
      extraEndpoints: { [ARM_CONNECTION]: armEndpoint(options.msiClientId) },
      inputs: {
        connectionType: 'azureResourceManager',
        kubernetesServiceConnection: undefined,
        azureSubscriptionEndpoint: ARM_CONNECTION,
        azureResourceGroup: resourceGroup,
        kubernetesCluster: clusterName,
        useClusterAdmin: options.admin ? 'true' : 'false',
      },
      env: taskEnvironment(options.imdsHost),
    };
  }

  /** Returns the scenario parts for an ACR Docker registry connection with a managed identity. */
  function acrScenario(target: StartedRegistry, imdsHost?: string): Partial<BuildScenario> {
    return {
      files: SMALL_BUILD,
      registryEndpoint: {
        url: `https://${target.loginServer}`,
        scheme: 'ManagedServiceIdentity',
        parameters: { loginServer: target.loginServer, tenantId: fakes.entra.tenantId },
        data: { registrytype: 'ACR' },
      },
      env: taskEnvironment(imdsHost),
    };
  }

  /** Adds every token the fakes issued during the run to the values the output must not contain. */
  function withIssuedTokens(build: BuildRun): BuildRun {
    build.secrets.push(...fakes.imds.issuedTokens(), ...registryPasswords);
    return build;
  }

  function armCalls(action: string): number {
    return fakes.requests('arm').filter((request) => request.path.endsWith(`/${action}`)).length;
  }

  describe('AKS through an Azure Resource Manager connection', () => {
    it('system-assigned identity gets user credentials', async () => {
      const build = withIssuedTokens(await runBuild(aksScenario()));

      assert.equal(build.run.result, 'Succeeded', errors(build.run));
      const [imdsRequest] = fakes.requests('imds');
      assert.equal(imdsRequest.query.resource, 'https://management.core.windows.net');
      assert.equal(imdsRequest.query.client_id, undefined);
      assert.equal(armCalls('listClusterUserCredential'), 1);
      assert.ok(build.secrets.length > 3, 'no token was issued');
      await assertNothingLeft(build);
      assertNoSecretInOutput(build);
    });

    it('user-assigned identity gets admin credentials', async () => {
      const build = withIssuedTokens(await runBuild(aksScenario({ msiClientId: admin.clientId, admin: true })));

      assert.equal(build.run.result, 'Succeeded', errors(build.run));
      assert.deepEqual(fakes.requests('imds').map((request) => request.query.client_id), [admin.clientId]);
      assert.equal(armCalls('listClusterAdminCredential'), 1);
      await assertNothingLeft(build);
      assertNoSecretInOutput(build);
    });

    it('identity without role fails early', async () => {
      const build = withIssuedTokens(await runBuild(aksScenario({ msiClientId: roleless.clientId })));

      assert.equal(build.run.result, 'Failed');
      const text = errors(build.run);
      assert.match(text, new RegExp(`AKS cluster ${clusterName} in resource group ${resourceGroup} through service connection ${ARM_CONNECTION}, which signs in with the agent's managed identity`));
      assert.match(text, /listClusterUserCredential returned HTTP 403 AuthorizationFailed/);
      assert.match(text, new RegExp(`with object id '${roleless.objectId}'`));
      assert.match(text, /assign that identity the Azure Kubernetes Service Cluster User Role on the cluster, which allows listClusterUserCredential/);
      assert.equal(build.record, undefined, 'a pod was created');
      assert.equal(await containerExists(build), false, 'the blob container was created');
      await assertNothingLeft(build);
      assertNoSecretInOutput(build);
    });

    it('user role cannot get admin credentials', async () => {
      const build = withIssuedTokens(await runBuild(aksScenario({ admin: true })));

      assert.equal(build.run.result, 'Failed');
      assert.match(errors(build.run), /Could not get the admin credentials of AKS cluster/);
      assert.match(errors(build.run), /Cluster Admin Role on the cluster, which allows listClusterAdminCredential/);
      await assertNothingLeft(build);
      assertNoSecretInOutput(build);
    });

    it('unassigned identity names its client id', async () => {
      const unassigned = '0b1c2d3e-0000-4000-8000-00000000abcd';
      const build = withIssuedTokens(await runBuild(aksScenario({ msiClientId: unassigned })));

      assert.equal(build.run.result, 'Failed');
      const text = errors(build.run);
      assert.match(text, new RegExp(`Service connection ${ARM_CONNECTION} signs in with the user-assigned managed identity ${unassigned} of the agent's machine`));
      assert.match(text, /Identity not found/);
      assert.match(text, /correct the client id \(data msiclientId\)/);
      assert.equal(armCalls('listClusterUserCredential'), 0);
      await assertNothingLeft(build);
      assertNoSecretInOutput(build);
    });

    it('no identity endpoint fails with a hint', async () => {
      const build = withIssuedTokens(await runBuild(aksScenario({ imdsHost: `http://127.0.0.1:${await closedPort()}` })));

      assert.equal(build.run.result, 'Failed');
      const text = errors(build.run);
      assert.match(text, new RegExp(`Service connection ${ARM_CONNECTION} signs in with the system-assigned managed identity of the agent's machine`));
      assert.match(text, /Network unreachable/);
      assert.match(text, /Run the job on an agent on an Azure virtual machine, virtual machine scale set or container that has a system-assigned managed identity/);
      assert.deepEqual(fakes.requests('arm'), []);
      assert.equal(await containerExists(build), false, 'the blob container was created');
      await assertNothingLeft(build);
      assertNoSecretInOutput(build);
    });

    it('expired token fails with the ARM error', async () => {
      fakes.entra.tokenLifetimeSeconds = 0;
      try {
        const build = withIssuedTokens(await runBuild(aksScenario()));

        assert.equal(build.run.result, 'Failed');
        const text = errors(build.run);
        assert.match(text, new RegExp(`Could not get the credentials of AKS cluster ${clusterName} through service connection ${ARM_CONNECTION}, because Azure Resource Manager rejected the access token as expired`));
        assert.match(text, /listClusterUserCredential returned HTTP 401 ExpiredAuthenticationToken/);
        await assertNothingLeft(build);
        assertNoSecretInOutput(build);
      } finally {
        fakes.entra.tokenLifetimeSeconds = 3599;
      }
    });
  });

  describe('ACR through a Docker registry connection', () => {
    it('system-assigned identity pushes', async () => {
      const build = withIssuedTokens(await runBuild(acrScenario(registry)));

      assert.equal(build.run.result, 'Succeeded', errors(build.run));
      assert.equal(build.run.variables.imageName?.value.startsWith(`${registry.loginServer}/samples/flask-app@sha256:`), true);
      assert.equal(fakes.requests('imds')[0].query.resource, 'https://containerregistry.azure.net');
      const [exchange] = fakes.requests('acr').filter((request) => request.path === '/oauth2/exchange');
      assert.equal(exchange.status, 200);
      assert.equal(exchange.form?.tenant, fakes.entra.tenantId);
      assert.ok(registryPasswords.length > 0, 'kaniko did not log in to the registry');
      await assertNothingLeft(build);
      assertNoSecretInOutput(build);
    });

    it('identity without AcrPush fails early', async () => {
      const bare = await fakes.acr.addRegistry({ subscriptionId, resourceGroup, name: 'managednorole' });
      const build = withIssuedTokens(await runBuild(acrScenario(bare)));

      assert.equal(build.run.result, 'Failed');
      const text = errors(build.run);
      assert.match(text, /Could not get a token for registry \S+ through service connection \S+, which signs in with the agent's managed identity/);
      assert.match(text, /oauth2\/exchange returned HTTP 401: UNAUTHORIZED: The identity \S+ has no role on registry managednorole/);
      assert.match(text, /Assign that identity the AcrPush role on the registry/);
      assert.equal(build.record, undefined, 'a pod was created');
      assert.equal(await containerExists(build), false, 'the blob container was created');
      await assertNothingLeft(build);
      assertNoSecretInOutput(build);
    });

    it('expired token fails before anything is created', async () => {
      fakes.entra.tokenLifetimeSeconds = 0;
      try {
        const build = withIssuedTokens(await runBuild(acrScenario(registry)));

        assert.equal(build.run.result, 'Failed');
        const text = errors(build.run);
        assert.match(text, /Could not get a token for registry \S+ through service connection \S+, because the registry rejected the access token as expired/);
        assert.match(text, /oauth2\/exchange returned HTTP 401: UNAUTHORIZED: The access token expired at /);
        assert.equal(build.record, undefined, 'a pod was created');
        assert.equal(await containerExists(build), false, 'the blob container was created');
        await assertNothingLeft(build);
        assertNoSecretInOutput(build);
      } finally {
        fakes.entra.tokenLifetimeSeconds = 3599;
      }
    });

    it('no identity endpoint fails with a hint', async () => {
      const build = withIssuedTokens(await runBuild(acrScenario(registry, `http://127.0.0.1:${await closedPort()}`)));

      assert.equal(build.run.result, 'Failed');
      const text = errors(build.run);
      assert.match(text, /signs in with the managed identity of the agent's machine, and getting a token from it failed: ManagedIdentityCredential: Network unreachable/);
      assert.match(text, /has a system-assigned managed identity or exactly one user-assigned identity/);
      assert.deepEqual(fakes.requests('acr'), []);
      await assertNothingLeft(build);
      assertNoSecretInOutput(build);
    });
  });
});

/** Returns a port of 127.0.0.1 that had a listener a moment ago and has none now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
