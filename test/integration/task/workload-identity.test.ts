// registryCredentials: workloadIdentity through the bundled task. There is no registry
// connection, and the build pod runs under an annotated service account that the local
// cluster's emulation of the AKS workload identity webhook turns into an identity. A fake ACR
// decides what that identity may do from the fake Entra ID's federated credentials and the
// fake Resource Manager's role assignments.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startAzureFakes, type AzureFakes, type StartedRegistry } from '../../../tools/azure-fakes/index';
import type { LocalCluster } from '../../../tools/local-cluster/index';
import { sharedStandIns } from '../stand-ins';
import {
  assertNoSecretInOutput, assertNothingLeft, containerExists, errors, kubeconfigEndpoint, recordSecrets, REGISTRY_CONNECTION, runBuild,
  type BuildRun,
} from './harness';

const SMALL_BUILD = { Dockerfile: 'FROM alpine:3.20\nRUN echo federated\n' };
/** The login server the pod pushes to; the emulated registry under this host is the fake ACR below. */
const LOGIN_SERVER = 'kanikowi.azurecr.io';
const SERVICE_ACCOUNT = 'kaniko-builder';
/** A second emulated ACR that base images come from. */
const BASE_LOGIN_SERVER = 'kanikowibase.azurecr.io';
const CLIENT_ID_ANNOTATION = 'azure.workload.identity/client-id';

interface Identity {
  namespace: string;
  clientId: string;
  /** The app's service principal, for role assignments. */
  objectId: string;
}

describe('KanikoBuild with the build pod\'s workload identity', function () {
  this.timeout(120_000);

  let fakes: AzureFakes;
  let cluster: LocalCluster;
  let registry: StartedRegistry;
  let subscriptionId: string;

  before(async () => {
    ({ cluster } = await sharedStandIns());
    fakes = await startAzureFakes();
    // Entra ID trusts the cluster's service account issuer, as AKS's OIDC issuer is trusted
    // through each federated identity credential.
    const { issuer, keyId, publicKey } = cluster.serviceAccountIssuer;
    fakes.entra.trustIssuer(issuer, keyId, publicKey);
    cluster.installWorkloadIdentityWebhook({ tenantId: fakes.entra.tenantId, authorityHost: 'https://login.microsoftonline.com/' });
    subscriptionId = fakes.arm.addSubscription().id;
    fakes.arm.addResourceGroup(subscriptionId, 'rg-images');
    registry = await fakes.acr.addRegistry({ subscriptionId, resourceGroup: 'rg-images', name: 'kanikowi' });
    cluster.addRegistry(LOGIN_SERVER, {
      authorizeWorkloadIdentity: (request) => fakes.acr.authorizeWorkloadIdentity(registry, request),
    });
  });

  after(async () => {
    await fakes?.stop();
  });

  beforeEach(() => {
    fakes.clearRequests();
  });

  /**
   * Creates a namespace with an app registration that federates its kaniko-builder service
   * account, and that account. `role` is the app's role on the registry.
   */
  function identity(options: { role?: 'AcrPush' | 'AcrPull'; federated?: boolean; annotated?: boolean; account?: boolean } = {}): Identity {
    const namespace = `wi-${randomBytes(3).toString('hex')}`;
    cluster.createNamespace(namespace);
    const app = fakes.entra.addApp({ displayName: `kaniko-${namespace}` });
    if (options.federated ?? true) {
      const subject = `system:serviceaccount:${namespace}:${SERVICE_ACCOUNT}`;
      fakes.entra.addFederatedCredential(app.appId, { issuer: cluster.serviceAccountIssuer.issuer, subject });
    }
    if (options.role) fakes.arm.assignRole(app.objectId, options.role, registry.id);
    if (options.account ?? true) {
      const annotations = (options.annotated ?? true) ? { [CLIENT_ID_ANNOTATION]: app.appId } : undefined;
      cluster.createServiceAccount(namespace, SERVICE_ACCOUNT, { annotations });
    }
    return { namespace, clientId: app.appId, objectId: app.objectId };
  }

  function buildWith(
    target: Identity, inputs: Record<string, string | undefined> = {}, files: Record<string, string> = SMALL_BUILD,
  ): Promise<BuildRun> {
    return runBuild({
      files,
      namespace: target.namespace,
      registryEndpoint: null,
      inputs: {
        registryCredentials: 'workloadIdentity',
        containerRegistry: undefined,
        repository: `${LOGIN_SERVER}/samples/web`,
        serviceAccount: SERVICE_ACCOUNT,
        ...inputs,
      },
    });
  }

  function podOf(target: Identity) {
    return cluster.runs.find((run) => run.namespace === target.namespace);
  }

  async function expectNothingCreated(build: BuildRun, target: Identity): Promise<void> {
    assert.equal(build.run.result, 'Failed');
    assert.equal(podOf(target), undefined, 'a pod was created');
    assert.equal(await containerExists(build), false, 'the blob container was created');
    await assertNothingLeft(build);
    assertNoSecretInOutput(build);
  }

  it('pushes with no registry connection', async () => {
    const target = identity({ role: 'AcrPush' });
    const secrets = await recordSecrets(cluster, target.namespace);
    let build: BuildRun;
    try {
      build = await buildWith(target);
    } finally {
      secrets.stop();
    }
    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.match(build.run.variables.imageName?.value ?? '', new RegExp(`^${LOGIN_SERVER}/samples/web@sha256:[a-f0-9]{64}$`));
    assert.match(build.run.log.join('\n'), new RegExp(`Service account ${SERVICE_ACCOUNT} in namespace ${target.namespace}: workload identity client id ${target.clientId}\\.`));

    // The agent requested no token: the pod's federated token was the only credential.
    assert.deepEqual(fakes.requests().map((request) => `${request.service} ${request.path}`), []);

    // The registry Secret holds only the helper mapping.
    const registrySecret = secrets.added.find((secret) => secret.metadata?.name?.endsWith('-registry'));
    assert.ok(registrySecret, 'no registry Secret was created');
    assert.deepEqual(Object.keys(registrySecret.data ?? {}), ['config.json']);
    const config = JSON.parse(Buffer.from(registrySecret.data!['config.json'], 'base64').toString('utf8')) as unknown;
    assert.deepEqual(config, { credHelpers: { [LOGIN_SERVER]: 'acr-env' } });

    // The pod names no credential: the webhook added the identity, and the token is a projected volume.
    const record = podOf(target);
    assert.ok(record, 'the pod did not run');
    assert.equal(record.pod.spec?.serviceAccountName, SERVICE_ACCOUNT);
    assert.equal(record.pod.metadata?.labels?.['azure.workload.identity/use'], 'true');
    const env = Object.fromEntries((record.pod.spec?.containers[0].env ?? []).map((variable) => [variable.name, variable]));
    assert.equal(env.AZURE_CLIENT_ID?.value, target.clientId);
    assert.equal(env.AZURE_FEDERATED_TOKEN_FILE?.value, '/var/run/secrets/azure/wi/token/azure-identity-token');
    assert.equal(env.AZURE_CLIENT_SECRET, undefined);
    assert.deepEqual(env.AZURE_STORAGE_ACCESS_KEY?.value, undefined, 'the storage key is written into the pod spec');
    assert.equal(record.pod.spec?.automountServiceAccountToken, false);
    assert.ok(!JSON.stringify(record.pod).includes('"auths"'), 'the pod spec contains registry auths');
    await assertNothingLeft(build);
    assertNoSecretInOutput(build);
  });

  it('missing service account fails before anything is created', async () => {
    const target = identity({ role: 'AcrPush', account: false });
    const build = await buildWith(target);
    assert.match(errors(build.run), new RegExp(`The service account ${SERVICE_ACCOUNT} does not exist in namespace ${target.namespace} \\(input serviceAccount\\)`));
    assert.match(errors(build.run), new RegExp(`kubectl create serviceaccount ${SERVICE_ACCOUNT} --namespace ${target.namespace}`));
    await expectNothingCreated(build, target);
  });

  it('account without client-id annotation fails before anything is created', async () => {
    const target = identity({ role: 'AcrPush', annotated: false });
    const build = await buildWith(target);
    assert.match(errors(build.run), new RegExp(`The service account ${SERVICE_ACCOUNT} in namespace ${target.namespace} has no azure\\.workload\\.identity/client-id annotation`));
    await expectNothingCreated(build, target);
  });

  it('identity without push rights fails with kaniko\'s push error', async () => {
    const target = identity({ role: 'AcrPull' });
    const build = await buildWith(target);
    assert.equal(build.run.result, 'Failed');
    const text = errors(build.run);
    assert.match(text, /error checking push permissions/);
    assert.match(text, new RegExp(`POST https://${LOGIN_SERVER}/v2/samples/web/blobs/uploads/: UNAUTHORIZED: authentication required, visit https://aka\\.ms/acr/authorization`));
    assert.equal(podOf(target)?.exitCode, 1);
    await assertNothingLeft(build);
    assertNoSecretInOutput(build);
  });

  it('identity without federated credential fails in the helper', async () => {
    const target = identity({ role: 'AcrPush', federated: false });
    const build = await buildWith(target);
    assert.equal(build.run.result, 'Failed');
    const text = errors(build.run);
    assert.match(text, /error checking push permissions/);
    assert.match(text, /error getting credentials - err: exit status 1, out: `failed to acquire refresh token error refreshing sp token - adal: Refresh request failed/);
    assert.match(text, /AADSTS70021/);
    await assertNothingLeft(build);
  });

  it('repository on another registry fails before anything is created', async () => {
    const target = identity({ role: 'AcrPush' });
    const build = await buildWith(target, { repository: 'registry.stand-in.test/samples/web' });
    assert.match(
      errors(build.run),
      /Input repository: 'registry\.stand-in\.test\/samples\/web' names the registry registry\.stand-in\.test, but registryCredentials workloadIdentity works only with Azure Container Registry/,
    );
    await expectNothingCreated(build, target);
  });

  it('cluster without the webhook fails and cleans up', async () => {
    const target = identity({ role: 'AcrPush' });
    cluster.removeWorkloadIdentityWebhook();
    let build: BuildRun;
    try {
      build = await buildWith(target);
    } finally {
      cluster.installWorkloadIdentityWebhook({ tenantId: fakes.entra.tenantId, authorityHost: 'https://login.microsoftonline.com/' });
    }
    assert.equal(build.run.result, 'Failed');
    assert.match(errors(build.run), new RegExp(`The cluster gave pod ${target.namespace}/kaniko-4711-[0-9a-f]+ no workload identity: its container has no AZURE_FEDERATED_TOKEN_FILE`));
    assert.match(errors(build.run), /az aks update --enable-oidc-issuer --enable-workload-identity/);
    await assertNothingLeft(build);
    assertNoSecretInOutput(build);
  });

  it('unreadable service account only warns', async () => {
    const target = identity({ role: 'AcrPush' });
    const token = cluster.addUser(`no-sa-${target.namespace}`, [
      { verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'], resources: ['pods', 'pods/log', 'secrets', 'events'] },
    ]);
    const standIns = await sharedStandIns();
    const build = await runBuild({
      files: SMALL_BUILD,
      namespace: target.namespace,
      registryEndpoint: null,
      clusterEndpoint: kubeconfigEndpoint(standIns, { kubeconfig: cluster.kubeconfig({ token }) }),
      inputs: { registryCredentials: 'workloadIdentity', containerRegistry: undefined, repository: `${LOGIN_SERVER}/samples/web`, serviceAccount: SERVICE_ACCOUNT },
    });
    build.secrets.push(token);
    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    const warnings = build.run.issues.filter((issue) => issue.type === 'warning').map((issue) => issue.message).join('\n');
    assert.match(warnings, new RegExp(`Could not read the service account ${SERVICE_ACCOUNT} in namespace ${target.namespace} to check it before the build: HTTP 403 Forbidden`));
    await assertNothingLeft(build);
    assertNoSecretInOutput(build);
  });

  it('warns that a named registry connection is unused', async () => {
    const target = identity({ role: 'AcrPush' });
    const build = await buildWith(target, { containerRegistry: REGISTRY_CONNECTION });

    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    const warnings = build.run.issues.filter((issue) => issue.type === 'warning').map((issue) => issue.message);
    assert.ok(warnings.some((message) => message.startsWith('Input containerRegistry names a connection, but registryCredentials is workloadIdentity')),
      warnings.join('\n'));
    await assertNothingLeft(build);
  });

  it('pulls base images from another ACR with the same identity', async () => {
    const baseRegistry = await fakes.acr.addRegistry({ subscriptionId, resourceGroup: 'rg-images', name: 'kanikowibase' });
    cluster.addRegistry(BASE_LOGIN_SERVER, {
      authorizeWorkloadIdentity: (request) => fakes.acr.authorizeWorkloadIdentity(baseRegistry, request),
    });
    const files = { Dockerfile: `FROM ${BASE_LOGIN_SERVER}/python:3.12\nRUN echo base\n` };

    const allowed = identity({ role: 'AcrPush' });
    fakes.arm.assignRole(allowed.objectId, 'AcrPull', baseRegistry.id);
    const build = await buildWith(allowed, {}, files);
    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.match(build.run.log.join('\n'), new RegExp(`Retrieving image manifest ${BASE_LOGIN_SERVER}/python:3\\.12`));
    await assertNothingLeft(build);

    const denied = identity({ role: 'AcrPush' });
    const failed = await buildWith(denied, {}, files);
    assert.equal(failed.run.result, 'Failed');
    assert.match(failed.run.log.join('\n'), /error building image: error getting credentials - err: exit status 1, out: .*has no role on registry kanikowibase/);
    await assertNothingLeft(failed);
  });
});
