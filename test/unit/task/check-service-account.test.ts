// The preflight read of the build pod's service account, against a fake ClusterApi.
import { strict as assert } from 'node:assert';
import { ApiException, type V1ServiceAccount } from '@kubernetes/client-node';
import type { ClusterApi } from '../../../tasks/KanikoBuildV1/src/kubernetes/client';
import { checkServiceAccount } from '../../../tasks/KanikoBuildV1/src/phases/check-service-account';
import type { PodSettings } from '../../../tasks/KanikoBuildV1/src/settings/types';
import { captureStdout } from './support/stdout';
import { unusedClusterApi } from './support/unused-cluster-api';

const CLIENT_ID = '0b6e6f1a-3c2d-4e5f-8a9b-0c1d2e3f4a5b';
const POD: PodSettings = {
  namespace: 'builds',
  executorImage: 'ghcr.io/osscontainertools/kaniko:v1.28.3',
  resources: { requests: {}, limits: { cpu: '1', memory: '1Gi' } },
  timeoutSeconds: 1800,
  serviceAccount: 'kaniko-builder',
  workloadIdentity: {},
};

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

/** Returns a ClusterApi whose readServiceAccount gives `result`; every other method fails the test. */
function fakeApi(result: V1ServiceAccount | Error, reads: string[] = []): ClusterApi {
  return {
    ...unusedClusterApi('checkServiceAccount called a ClusterApi method other than readServiceAccount'),
    readServiceAccount: async (namespace, name) => {
      reads.push(`${namespace}/${name}`);
      if (result instanceof Error) throw result;
      return result;
    },
  };
}

function account(annotations?: Record<string, string>): V1ServiceAccount {
  return { metadata: { name: 'kaniko-builder', namespace: 'builds', annotations } };
}

async function checkFailure(api: ClusterApi, pod: PodSettings = POD): Promise<string> {
  try {
    await checkServiceAccount(api, pod, new AbortController().signal);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('checkServiceAccount succeeded, but it was expected to fail.');
}

describe('phase: check service account', () => {
  it('accepts an annotated account and logs the client id', async () => {
    const reads: string[] = [];
    const { output } = await captureStdout(() => checkServiceAccount(
      fakeApi(account({ 'azure.workload.identity/client-id': CLIENT_ID }), reads), POD, new AbortController().signal,
    ));
    assert.deepEqual(reads, ['builds/kaniko-builder']);
    assert.match(output, new RegExp(`Service account kaniko-builder in namespace builds: workload identity client id ${CLIENT_ID}\\.`));
  });

  it('missing account names namespace, account and fix', async () => {
    const error = new ApiException(404, 'Not Found', status(404, 'NotFound', 'serviceaccounts "kaniko-builder" not found'), {});
    const message = await checkFailure(fakeApi(error));
    assert.match(message, /^The service account kaniko-builder does not exist in namespace builds \(input serviceAccount\)/);
    assert.match(message, /kubectl create serviceaccount kaniko-builder --namespace builds/);
  });

  it('account without client-id annotation fails', async () => {
    const message = await checkFailure(fakeApi(account({ 'azure.workload.identity/tenant-id': 'tenant' })));
    assert.match(message, /^The service account kaniko-builder in namespace builds has no azure\.workload\.identity\/client-id annotation/);
    assert.match(message, /kubectl annotate serviceaccount kaniko-builder --namespace builds azure\.workload\.identity\/client-id=CLIENT_ID/);
  });

  it('empty client-id annotation fails', async () => {
    const message = await checkFailure(fakeApi(account({ 'azure.workload.identity/client-id': '' })));
    assert.match(message, /has no azure\.workload\.identity\/client-id annotation/);
  });

  it('forbidden read warns and goes on', async () => {
    const error = new ApiException(403, 'Forbidden', status(403, 'Forbidden', 'serviceaccounts "kaniko-builder" is forbidden: User "ci" cannot get resource "serviceaccounts"'), {});
    const { output } = await captureStdout(() => checkServiceAccount(fakeApi(error), POD, new AbortController().signal));
    assert.match(output, /##vso\[task\.issue type=warning[^\]]*\]Could not read the service account kaniko-builder in namespace builds to check it before the build: HTTP 403 Forbidden/);
    assert.match(output, /grant the connection's identity get on serviceaccounts/);
  });

  it('other API errors fail with the server', async () => {
    const error = new ApiException(500, 'Internal Server Error', status(500, 'InternalError', 'etcdserver: request timed out'), {});
    const message = await checkFailure(fakeApi(error));
    assert.match(message, /^Could not read the service account kaniko-builder in namespace builds from the Kubernetes API server https:\/\/127\.0\.0\.1:6443: HTTP 500 InternalError: etcdserver: request timed out/);
  });

  it('service connection mode needs no annotation', async () => {
    const withoutIdentity: PodSettings = { ...POD, workloadIdentity: undefined };
    const reads: string[] = [];
    const { output } = await captureStdout(() => checkServiceAccount(fakeApi(account(), reads), withoutIdentity, new AbortController().signal));
    assert.deepEqual(reads, ['builds/kaniko-builder']);
    assert.equal(output, '');
  });

  it('service connection mode still needs the account', async () => {
    const withoutIdentity: PodSettings = { ...POD, workloadIdentity: undefined };
    const error = new ApiException(404, 'Not Found', status(404, 'NotFound', 'serviceaccounts "kaniko-builder" not found'), {});
    assert.match(await checkFailure(fakeApi(error), withoutIdentity), /does not exist in namespace builds/);
  });

  it('no service account reads nothing', async () => {
    const reads: string[] = [];
    const defaultAccount: PodSettings = { ...POD, serviceAccount: undefined };
    await checkServiceAccount(fakeApi(account(), reads), defaultAccount, new AbortController().signal);
    assert.deepEqual(reads, []);
  });
});
