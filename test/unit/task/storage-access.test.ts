// The user delegation key step and the errors of storage calls made through a storage connection.
import { strict as assert } from 'node:assert';
import { RestError, type UserDelegationKey } from '@azure/storage-blob';
import { TokenRequestError } from '../../../tasks/KanikoBuildV1/src/azure/errors';
import { getDelegationKey } from '../../../tasks/KanikoBuildV1/src/phases/storage-access';
import { sasExpiry } from '../../../tasks/KanikoBuildV1/src/plan/plan';
import type { Settings } from '../../../tasks/KanikoBuildV1/src/settings/types';
import type { ContextStore } from '../../../tasks/KanikoBuildV1/src/storage/blob-store';
import { sampleSettings, storageConnectionSettings } from './support/settings';
import { captureStdout } from './support/stdout';

const NOW = new Date('2026-12-04T12:00:00Z');
const SAS_DOWNLOAD = { delivery: 'sasDownload' as const, downloadImage: 'curlimages/curl:8.20.0', retentionDays: 0 };

function connectionSettings(context: Settings['context'] = SAS_DOWNLOAD): Settings {
  return storageConnectionSettings(context, 'storage-connection-secret-0010');
}

/** Returns a store whose key request returns `answer()`, and records the requested start and expiry times. */
function keyStore(answer: () => Promise<UserDelegationKey>): { store: ContextStore; requests: [Date, Date][] } {
  const requests: [Date, Date][] = [];
  const unused = (): Promise<never> => Promise.reject(new Error('not used by this test'));
  return {
    requests,
    store: {
      ensureContainer: unused,
      upload: unused,
      markUsed: unused,
      list: unused,
      delete: unused,
      getUserDelegationKey: (startsOn, expiresOn) => {
        requests.push([startsOn, expiresOn]);
        return answer();
      },
    },
  };
}

const KEY: UserDelegationKey = {
  signedObjectId: 'oid', signedTenantId: 'tid', signedStartsOn: NOW, signedExpiresOn: NOW, signedService: 'b', signedVersion: '2025-11-05', value: 'a2V5',
};

describe('storage access: user delegation key', () => {
  const signal = new AbortController().signal;

  it('key lives as long as the SAS', async () => {
    const settings = connectionSettings();
    const { store, requests } = keyStore(() => Promise.resolve(KEY));
    const key = await captureStdout(() => getDelegationKey(settings, settings.storage!, store, NOW, signal));

    assert.equal(key.result, KEY);
    assert.equal(requests.length, 1);
    assert.equal(requests[0][0].getTime(), NOW.getTime() - 5 * 60 * 1000);
    assert.equal(requests[0][1].getTime(), sasExpiry(settings, NOW).getTime());
  });

  it('account key needs no delegation key', async () => {
    const { store, requests } = keyStore(() => Promise.resolve(KEY));
    const key = await getDelegationKey(sampleSettings({ context: SAS_DOWNLOAD }), sampleSettings().storage!, store, NOW, signal);

    assert.equal(key, undefined);
    assert.equal(requests.length, 0);
  });

  it('403 names the role', async () => {
    const forbidden = new RestError('This request is not authorized to perform this operation using this permission.\nRequestId:1',
      { statusCode: 403, code: 'AuthorizationPermissionMismatch' });
    const { store } = keyStore(() => Promise.reject(forbidden));
    const failure = await captureStdout(() => getDelegationKey(connectionSettings(), connectionSettings().storage!, store, NOW, signal).then(() => undefined, (error: unknown) => error));

    assert.ok(failure.result instanceof Error);
    const message = failure.result.message;
    assert.match(message, /^Storage account kanikostorage rejected the user delegation key request through service connection storage-connection/);
    assert.match(message, /HTTP 403 AuthorizationPermissionMismatch/);
    assert.match(message, /Storage Blob Data Contributor role on the account or on container kaniko-contexts/);
    assert.ok(!message.includes('RequestId'), message);
  });

  it('token failure names the connection', async () => {
    const { store } = keyStore(() => Promise.reject(new TokenRequestError('AADSTS7000215: Invalid client secret provided.')));
    const failure = await captureStdout(() => getDelegationKey(connectionSettings(), connectionSettings().storage!, store, NOW, signal).then(() => undefined, (error: unknown) => error));

    assert.ok(failure.result instanceof Error);
    assert.match(failure.result.message, /^Could not get a Microsoft Entra ID token for storage account kanikostorage through service connection storage-connection: AADSTS7000215/);
  });

  it('other failure names the account', async () => {
    const { store } = keyStore(() => Promise.reject(new RestError('getaddrinfo ENOTFOUND kanikostorage.blob.core.windows.net', { code: 'ENOTFOUND' })));
    const failure = await captureStdout(() => getDelegationKey(connectionSettings(), connectionSettings().storage!, store, NOW, signal).then(() => undefined, (error: unknown) => error));

    assert.ok(failure.result instanceof Error);
    assert.match(failure.result.message, /^Could not get a user delegation key of storage account kanikostorage through service connection storage-connection: no response ENOTFOUND/);
  });
});
