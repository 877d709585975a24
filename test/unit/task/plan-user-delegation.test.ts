// The sasDownload delivery with a storage connection: the plan signs a read-only user delegation
// SAS with the key the task got from storage, and never an account key SAS.
import { strict as assert } from 'node:assert';
import type { UserDelegationKey } from '@azure/storage-blob';
import { buildPlan, sasExpiry, SAS_VALIDITY_MARGIN_MS } from '../../../tasks/KanikoBuildV1/src/plan/plan';
import type { Settings } from '../../../tasks/KanikoBuildV1/src/settings/types';
import { USER_DELEGATION_SAS_VERSION } from '../../../tasks/KanikoBuildV1/src/storage/sas';
import { storageConnectionSettings } from './support/settings';

const NOW = new Date('2026-12-04T12:00:00Z');
const SAS_DOWNLOAD = { delivery: 'sasDownload' as const, downloadImage: 'curlimages/curl:8.20.0', retentionDays: 0 };
const KEY_VALUE = Buffer.from('user delegation key value for plan tests, 32 b').toString('base64');

function connectionSettings(): Settings {
  return storageConnectionSettings(SAS_DOWNLOAD, 'storage-connection-secret-0009');
}

function delegationKey(settings: Settings): UserDelegationKey {
  return {
    signedObjectId: '22222222-3333-4444-5555-666666666666',
    signedTenantId: '66666666-7777-8888-9999-000000000000',
    signedStartsOn: new Date(NOW.getTime() - 5 * 60 * 1000),
    signedExpiresOn: sasExpiry(settings, NOW),
    signedService: 'b',
    signedVersion: '2025-11-05',
    value: KEY_VALUE,
  };
}

function sasUrlOf(plan: ReturnType<typeof buildPlan>): URL {
  return new URL(Buffer.from(plan.storageSecret!.data?.CONTEXT_URL ?? '', 'base64').toString('utf8'));
}

describe('plan: user delegation SAS', () => {
  it('SAS names the key and reads one blob', () => {
    const settings = connectionSettings();
    const plan = buildPlan(settings, 'abcd1234', NOW, delegationKey(settings));
    const url = sasUrlOf(plan);

    assert.equal(url.pathname, `/kaniko-contexts/${plan.blobName}`);
    assert.equal(url.searchParams.get('sp'), 'r');
    assert.equal(url.searchParams.get('sr'), 'b');
    assert.equal(url.searchParams.get('sv'), USER_DELEGATION_SAS_VERSION);
    assert.equal(url.searchParams.get('skoid'), '22222222-3333-4444-5555-666666666666');
    assert.equal(url.searchParams.get('sktid'), '66666666-7777-8888-9999-000000000000');
    assert.equal(url.searchParams.get('spr'), 'https');
  });

  it('SAS expires with the key', () => {
    const settings = connectionSettings();
    const plan = buildPlan(settings, 'abcd1234', NOW, delegationKey(settings));
    const url = sasUrlOf(plan);
    const expected = new Date(NOW.getTime() + settings.pod.timeoutSeconds * 1000 + SAS_VALIDITY_MARGIN_MS);

    assert.equal(new Date(url.searchParams.get('se') ?? '').getTime(), expected.getTime());
    assert.equal(url.searchParams.get('ske'), expected.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  });

  it('SAS signature uses the key value', () => {
    const settings = connectionSettings();
    const key = delegationKey(settings);
    const plan = buildPlan(settings, 'abcd1234', NOW, key);
    const otherKey = { ...key, value: Buffer.from('another key value, 32 bytes long!!').toString('base64') };
    const other = buildPlan(settings, 'abcd1234', NOW, otherKey);

    assert.notEqual(sasUrlOf(plan).searchParams.get('sig'), sasUrlOf(other).searchParams.get('sig'));
  });

  it('secrets include SAS, signature and key', () => {
    const settings = connectionSettings();
    const plan = buildPlan(settings, 'abcd1234', NOW, delegationKey(settings));
    const sasUrl = Buffer.from(plan.storageSecret!.data?.CONTEXT_URL ?? '', 'base64').toString('utf8');
    const signature = new URL(sasUrl).searchParams.get('sig') ?? '';

    assert.ok(plan.derivedSecrets.includes(sasUrl), 'the SAS URL is not masked');
    assert.ok(plan.derivedSecrets.includes(signature), 'the signature is not masked');
    assert.ok(plan.derivedSecrets.includes(encodeURIComponent(signature)), 'the encoded signature is not masked');
    assert.ok(plan.derivedSecrets.includes(KEY_VALUE), 'the key value is not masked');
  });

  it('no key means no plan', () => {
    assert.throws(() => buildPlan(connectionSettings(), 'abcd1234', NOW), /needs a user delegation key/);
  });

  it('key value stays out of the cluster', () => {
    const settings = connectionSettings();
    const plan = buildPlan(settings, 'abcd1234', NOW, delegationKey(settings));
    const secretText = Buffer.from(plan.storageSecret!.data?.CONTEXT_URL ?? '', 'base64').toString('utf8');

    assert.ok(!JSON.stringify(plan.pod).includes(KEY_VALUE), 'the key value is in the pod');
    assert.ok(!secretText.includes(KEY_VALUE), 'the key value is in the Secret');
    assert.ok(!secretText.includes(encodeURIComponent(KEY_VALUE)), 'the encoded key value is in the Secret');
  });
});
