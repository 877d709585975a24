import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { V1Container, V1Pod, V1ServiceAccount } from '@kubernetes/client-node';
import {
  mutateForWorkloadIdentity, projectedVolumeName, type WorkloadIdentityWebhookSettings,
} from '../../../../tools/local-cluster/apiserver/admission/workload-identity-webhook';
import { ApiError } from '../../../../tools/local-cluster/apiserver/status';
import { failure, simplePod, startTestServer, type TestServer } from './helpers';

const CLIENT_ID = '0b6e6f1a-3c2d-4e5f-8a9b-0c1d2e3f4a5b';
const SETTINGS: WorkloadIdentityWebhookSettings = {
  tenantId: '72f988bf-0000-4000-8000-000000000001',
  authorityHost: 'https://login.microsoftonline.com/',
};

function labelledPod(name: string, annotations?: Record<string, string>): V1Pod {
  const pod = simplePod(name, { serviceAccountName: 'kaniko-builder' });
  pod.metadata = { ...pod.metadata, labels: { 'azure.workload.identity/use': 'true' }, annotations };
  return pod;
}

function serviceAccount(annotations: Record<string, string> = { 'azure.workload.identity/client-id': CLIENT_ID }): V1ServiceAccount {
  return { metadata: { name: 'kaniko-builder', namespace: 'builds', annotations } };
}

function envOf(container: V1Container): Record<string, string | undefined> {
  return Object.fromEntries((container.env ?? []).map((variable) => [variable.name, variable.value]));
}

function webhookError(call: () => void): ApiError {
  try {
    call();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('The webhook accepted the pod, but it was expected to deny it.');
}

describe('workload identity webhook emulation', () => {
  it('leaves pods without the label alone', () => {
    const pod = simplePod('plain', { serviceAccountName: 'kaniko-builder' });
    const before = structuredClone(pod);
    mutateForWorkloadIdentity(pod, serviceAccount(), SETTINGS);
    assert.deepEqual(pod, before);
  });

  it('ignores a label value other than true', () => {
    const pod = labelledPod('maybe');
    pod.metadata!.labels!['azure.workload.identity/use'] = 'True';
    mutateForWorkloadIdentity(pod, serviceAccount(), SETTINGS);
    assert.equal(pod.spec?.volumes, undefined);
  });

  it('adds the four variables to every container', () => {
    const pod = labelledPod('kaniko-1');
    pod.spec!.initContainers = [{ name: 'prepare', image: 'busybox' }];
    mutateForWorkloadIdentity(pod, serviceAccount(), SETTINGS);
    for (const container of [...pod.spec!.initContainers, ...pod.spec!.containers]) {
      assert.deepEqual(envOf(container), {
        AZURE_CLIENT_ID: CLIENT_ID,
        AZURE_TENANT_ID: SETTINGS.tenantId,
        AZURE_FEDERATED_TOKEN_FILE: '/var/run/secrets/azure/wi/token/azure-identity-token',
        AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.com/',
      });
    }
  });

  it('mounts a projected token named after the pod', () => {
    const pod = labelledPod('kaniko-1');
    mutateForWorkloadIdentity(pod, serviceAccount(), SETTINGS);
    const digest = createHash('sha256').update('kaniko-1').digest('hex');
    const name = `azure-workload-identity-reserved-${digest.slice(0, 63 - 'azure-workload-identity-reserved-'.length)}`;
    assert.equal(name.length, 63);
    assert.equal(projectedVolumeName('kaniko-1'), name);
    assert.deepEqual(pod.spec?.volumes, [{
      name,
      projected: { sources: [{ serviceAccountToken: { path: 'token/azure-identity-token', expirationSeconds: 3600, audience: 'api://AzureADTokenExchange' } }] },
    }]);
    assert.deepEqual(pod.spec?.containers[0].volumeMounts, [{ name, mountPath: '/var/run/secrets/azure/wi', readOnly: true }]);
  });

  it('hashes the generateName prefix for unnamed pods', () => {
    const pod = labelledPod('');
    pod.metadata!.name = undefined;
    pod.metadata!.generateName = 'kaniko-';
    mutateForWorkloadIdentity(pod, serviceAccount(), SETTINGS);
    assert.equal(pod.spec?.volumes?.[0].name, projectedVolumeName('kaniko- (prefix)'));
  });

  it('leaves out AZURE_CLIENT_ID without the client-id annotation', () => {
    const pod = labelledPod('anonymous');
    mutateForWorkloadIdentity(pod, serviceAccount({}), SETTINGS);
    const env = envOf(pod.spec!.containers[0]);
    assert.equal('AZURE_CLIENT_ID' in env, false);
    assert.equal(env.AZURE_TENANT_ID, SETTINGS.tenantId);
    assert.equal(env.AZURE_FEDERATED_TOKEN_FILE, '/var/run/secrets/azure/wi/token/azure-identity-token');
    assert.equal(pod.spec?.volumes?.length, 1);
  });

  it('takes the tenant from the account annotation', () => {
    const pod = labelledPod('other-tenant');
    const tenant = '0000aaaa-1111-2222-3333-444455556666';
    mutateForWorkloadIdentity(pod, serviceAccount({ 'azure.workload.identity/client-id': CLIENT_ID, 'azure.workload.identity/tenant-id': tenant }), SETTINGS);
    assert.equal(envOf(pod.spec!.containers[0]).AZURE_TENANT_ID, tenant);
  });

  it('keeps variables the container sets', () => {
    const pod = labelledPod('own-client');
    pod.spec!.containers[0].env = [{ name: 'AZURE_CLIENT_ID', value: 'chosen-by-the-pod' }];
    mutateForWorkloadIdentity(pod, serviceAccount(), SETTINGS);
    const clientIds = pod.spec!.containers[0].env!.filter((variable) => variable.name === 'AZURE_CLIENT_ID');
    assert.deepEqual(clientIds, [{ name: 'AZURE_CLIENT_ID', value: 'chosen-by-the-pod' }]);
  });

  it('skips the containers the pod names', () => {
    const pod = labelledPod('sidecar', { 'azure.workload.identity/skip-containers': 'helper; other' });
    pod.spec!.containers.push({ name: 'helper', image: 'busybox' });
    mutateForWorkloadIdentity(pod, serviceAccount(), SETTINGS);
    assert.equal(pod.spec!.containers[0].env?.length, 4);
    assert.equal(pod.spec!.containers[1].env, undefined);
    assert.equal(pod.spec!.containers[1].volumeMounts, undefined);
  });

  it('takes the token lifetime from the pod, then the account', () => {
    const fromAccount = labelledPod('account-expiry');
    mutateForWorkloadIdentity(fromAccount, serviceAccount({ 'azure.workload.identity/service-account-token-expiration': '7200' }), SETTINGS);
    assert.equal(fromAccount.spec?.volumes?.[0].projected?.sources?.[0].serviceAccountToken?.expirationSeconds, 7200);
    const fromPod = labelledPod('pod-expiry', { 'azure.workload.identity/service-account-token-expiration': '86400' });
    mutateForWorkloadIdentity(fromPod, serviceAccount({ 'azure.workload.identity/service-account-token-expiration': '7200' }), SETTINGS);
    assert.equal(fromPod.spec?.volumes?.[0].projected?.sources?.[0].serviceAccountToken?.expirationSeconds, 86400);
  });

  it('denies a token lifetime out of range', () => {
    const pod = labelledPod('short', { 'azure.workload.identity/service-account-token-expiration': '600' });
    const error = webhookError(() => mutateForWorkloadIdentity(pod, serviceAccount(), SETTINGS));
    assert.equal(error.status.code, 400);
    assert.equal(error.status.reason, undefined);
    assert.equal(
      error.status.message,
      'admission webhook "mutation.azure-workload-identity.io" denied the request: token expiration 600 not valid. Expected value to be between 3600 and 86400',
    );
  });

  it('denies a token lifetime that is not a number', () => {
    const pod = labelledPod('words', { 'azure.workload.identity/service-account-token-expiration': 'one-hour' });
    const error = webhookError(() => mutateForWorkloadIdentity(pod, serviceAccount(), SETTINGS));
    assert.match(error.status.message ?? '', /denied the request: strconv\.ParseInt: parsing "one-hour": invalid syntax$/);
  });
});

describe('local API server: workload identity webhook', () => {
  let test: TestServer;

  before(async () => {
    test = await startTestServer();
    test.server.createNamespace('builds');
    test.server.createServiceAccount('builds', 'kaniko-builder', { annotations: { 'azure.workload.identity/client-id': CLIENT_ID } });
  });

  after(async () => {
    await test.server.stop();
  });

  it('does nothing until it is installed', async () => {
    const created = await test.core.createNamespacedPod({ namespace: 'builds', body: labelledPod('before-install') });
    assert.equal(created.spec?.containers[0].env, undefined);
  });

  it('mutates labelled pods once installed', async () => {
    test.server.installWorkloadIdentityWebhook(SETTINGS);
    const created = await test.core.createNamespacedPod({ namespace: 'builds', body: labelledPod('after-install') });
    assert.equal(envOf(created.spec!.containers[0]).AZURE_CLIENT_ID, CLIENT_ID);
    assert.ok(created.spec?.volumes?.some((volume) => volume.name === projectedVolumeName('after-install')));
  });

  it('does nothing once removed', async () => {
    test.server.installWorkloadIdentityWebhook(SETTINGS);
    test.server.removeWorkloadIdentityWebhook();
    const created = await test.core.createNamespacedPod({ namespace: 'builds', body: labelledPod('after-removal') });
    assert.equal(created.spec?.containers[0].env, undefined);
    assert.equal(created.spec?.volumes?.some((volume) => volume.name === projectedVolumeName('after-removal')) ?? false, false);
  });

  it('answers the webhook denial as a 400 Status', async () => {
    test.server.installWorkloadIdentityWebhook(SETTINGS);
    const pod = labelledPod('denied', { 'azure.workload.identity/service-account-token-expiration': '90000' });
    const { code, status } = await failure(test.core.createNamespacedPod({ namespace: 'builds', body: pod }));
    assert.equal(code, 400);
    assert.match(status.message, /^admission webhook "mutation\.azure-workload-identity\.io" denied the request: token expiration 90000 not valid/);
  });

  it('runs after the service account check', async () => {
    test.server.installWorkloadIdentityWebhook(SETTINGS);
    const pod = labelledPod('no-account');
    pod.spec!.serviceAccountName = 'missing';
    const { code, status } = await failure(test.core.createNamespacedPod({ namespace: 'builds', body: pod }));
    assert.equal(code, 403);
    assert.match(status.message, /serviceaccount "missing" not found$/);
  });
});
