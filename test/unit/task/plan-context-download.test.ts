// The sasDownload delivery in the plan: a read-only SAS for the one blob, handed to an init
// container through a Secret, and no storage account key in the cluster.
import { strict as assert } from 'node:assert';
import { buildPlan, SAS_VALIDITY_MARGIN_MS } from '../../../tasks/KanikoBuildV1/src/plan/plan';
import { sampleSettings, STORAGE_ACCESS_KEY } from './support/settings';

const NOW = new Date('2026-12-04T12:00:00Z');
const SAS_DOWNLOAD = { delivery: 'sasDownload' as const, downloadImage: 'curlimages/curl:8.20.0', retentionDays: 0 };

function decode(data: string | undefined): string {
  assert.ok(data, 'Secret value is missing');
  return Buffer.from(data, 'base64').toString('utf8');
}

function sasUrlOf(plan: ReturnType<typeof buildPlan>): URL {
  return new URL(decode(plan.storageSecret?.data?.CONTEXT_URL));
}

describe('plan: sasDownload context', () => {
  it('init container downloads with curl', () => {
    const plan = buildPlan(sampleSettings({ context: SAS_DOWNLOAD }), 'abcd1234', NOW);
    const init = plan.pod.spec?.initContainers ?? [];

    assert.equal(init.length, 1);
    assert.equal(init[0].name, 'download-context');
    assert.equal(init[0].image, 'curlimages/curl:8.20.0');
    assert.deepEqual(init[0].command, ['curl']);
    assert.deepEqual(init[0].args, [
      '--fail', '--silent', '--show-error', '--location', '--retry', '3', '--output', '/workspace/context.tar.gz',
      '--variable', '%CONTEXT_URL', '--expand-url', '{{CONTEXT_URL}}',
    ]);
    assert.deepEqual(init[0].env, [
      { name: 'CONTEXT_URL', valueFrom: { secretKeyRef: { name: 'kaniko-1234-abcd1234-storage', key: 'CONTEXT_URL' } } },
    ]);
  });

  it('kaniko reads the downloaded archive', () => {
    const plan = buildPlan(sampleSettings({ context: SAS_DOWNLOAD }), 'abcd1234', NOW);
    const kaniko = plan.pod.spec?.containers[0];

    assert.ok(kaniko?.args?.includes('--context=tar:///workspace/context.tar.gz'), kaniko?.args?.join(' '));
    assert.deepEqual(kaniko?.env ?? [], []);
    assert.deepEqual(kaniko?.volumeMounts?.map((mount) => [mount.name, mount.mountPath, mount.readOnly]), [
      ['docker-config', '/kaniko/.docker', true],
      ['workspace', '/workspace', true],
    ]);
  });

  it('volumes share the workspace', () => {
    const plan = buildPlan(sampleSettings({ context: SAS_DOWNLOAD }), 'abcd1234', NOW);
    const volumes = plan.pod.spec?.volumes ?? [];

    assert.deepEqual(volumes.map((volume) => volume.name), ['docker-config', 'workspace']);
    assert.deepEqual(volumes.find((volume) => volume.name === 'workspace')?.emptyDir, {});
  });

  it('SAS reads only this blob until the timeout', () => {
    const settings = sampleSettings({ context: SAS_DOWNLOAD });
    const plan = buildPlan(settings, 'abcd1234', NOW);
    const url = sasUrlOf(plan);

    assert.equal(`${url.origin}${url.pathname}`, `https://kanikostorage.blob.core.windows.net/kaniko-contexts/${plan.blobName}`);
    assert.equal(url.searchParams.get('sp'), 'r');
    assert.equal(url.searchParams.get('sr'), 'b');
    assert.equal(url.searchParams.get('spr'), 'https');
    const expiry = new Date(NOW.getTime() + settings.pod.timeoutSeconds * 1000 + SAS_VALIDITY_MARGIN_MS);
    assert.equal(url.searchParams.get('se'), expiry.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    assert.equal(url.searchParams.get('st'), '2026-12-04T11:55:00Z');
  });

  it('loopback emulator allows plain HTTP', () => {
    const settings = sampleSettings({ context: SAS_DOWNLOAD });
    settings.storage!.uploadEndpoint = 'http://127.0.0.1:10000/devstoreaccount1';
    const url = sasUrlOf(buildPlan(settings, 'abcd1234', NOW));

    assert.equal(url.searchParams.get('spr'), 'https,http');
    assert.equal(url.origin, 'http://127.0.0.1:10000');
  });

  it('no key, SAS or signature outside the Secret', () => {
    const plan = buildPlan(sampleSettings({ context: SAS_DOWNLOAD }), 'abcd1234', NOW);
    const url = sasUrlOf(plan);
    const signature = url.searchParams.get('sig') ?? '';
    const visible = JSON.stringify({ pod: plan.pod, metadata: plan.storageSecret!.metadata, labels: plan.labels, contextUrl: plan.contextUrl });
    const secretData = JSON.stringify([plan.storageSecret?.data, plan.registrySecret.data]);

    assert.ok(signature.length > 20, 'the SAS has no signature');
    assert.ok(!visible.includes(signature), 'the SAS signature appears in the pod or metadata');
    assert.ok(!visible.includes(STORAGE_ACCESS_KEY), 'the account key appears in the pod or metadata');
    assert.ok(!secretData.includes(STORAGE_ACCESS_KEY), 'the account key reached a Secret');
    assert.ok(plan.derivedSecrets.includes(decode(plan.storageSecret?.data?.CONTEXT_URL)), 'the SAS URL is not masked');
    assert.ok(plan.derivedSecrets.includes(signature), 'the signature is not masked on its own');
    assert.ok(plan.derivedSecrets.every((value) => value.length > 0 && !value.includes('\n')), 'a derived secret cannot be masked');
  });

  it('accountKey keeps the key in the Secret and no init container', () => {
    const plan = buildPlan(sampleSettings({ context: { delivery: 'accountKey', downloadImage: 'curlimages/curl:8.20.0', retentionDays: 0 } }), 'abcd1234', NOW);

    assert.equal(plan.pod.spec?.initContainers, undefined);
    assert.equal(decode(plan.storageSecret?.data?.AZURE_STORAGE_ACCESS_KEY), STORAGE_ACCESS_KEY);
    assert.ok(plan.pod.spec?.containers[0].args?.includes(`--context=https://kanikostorage.blob.core.windows.net/kaniko-contexts/${plan.blobName}`));
  });
});

describe('plan: direct context', () => {
  const DIRECT = { delivery: 'direct' as const, downloadImage: 'curlimages/curl:8.20.0', retentionDays: 0 };

  it('kaniko reads stdin once', () => {
    const settings = { ...sampleSettings({ context: DIRECT }), storage: undefined };
    const plan = buildPlan(settings, 'abcd1234', NOW);
    const kaniko = plan.pod.spec?.containers[0];

    assert.ok(kaniko?.args?.includes('--context=tar://stdin'), kaniko?.args?.join(' '));
    assert.equal(kaniko?.stdin, true);
    assert.equal(kaniko?.stdinOnce, true);
    assert.equal(kaniko?.tty, undefined);
    assert.deepEqual(kaniko?.env ?? [], []);
  });

  it('no storage Secret or init container', () => {
    const settings = { ...sampleSettings({ context: DIRECT }), storage: undefined };
    const plan = buildPlan(settings, 'abcd1234', NOW);

    assert.equal(plan.storageSecret, undefined);
    assert.equal(plan.pod.spec?.initContainers, undefined);
    assert.deepEqual(plan.pod.spec?.volumes?.map((volume) => volume.name), ['docker-config']);
    assert.ok(!JSON.stringify(plan).includes(STORAGE_ACCESS_KEY), 'the account key is in the plan');
  });
});
