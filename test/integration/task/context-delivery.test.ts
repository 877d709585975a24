// contextDelivery through the bundled task: sasDownload (an init container downloads the
// archive with a read-only SAS), accountKey (kaniko reads the blob with the account key) and
// direct (the task streams the archive into kaniko's stdin).
import * as assert from 'node:assert/strict';
import { sharedStandIns } from '../stand-ins';
import {
  assertNoSecretInOutput, assertNothingLeft, buildRecordingSecrets, containerExists, errors, kubeconfigEndpoint, runBuild,
} from './harness';

const SMALL_BUILD = { Dockerfile: 'FROM alpine:3.20\nCOPY app.txt /app.txt\n', 'app.txt': 'context\n' };

describe('KanikoBuild context delivery', function () {
  this.timeout(120_000);

  it('sasDownload keeps the account key out of the cluster', async () => {
    const { build, secretData } = await buildRecordingSecrets({ files: SMALL_BUILD }, 'delivery');
    const { azurite } = build.standIns;

    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.ok(build.record, 'no pod ran');
    const pod = build.record.pod;
    assert.deepEqual(pod.spec?.initContainers?.map((container) => [container.name, container.image]), [['download-context', 'curlimages/curl:8.20.0']]);
    assert.ok(build.record.args.includes('--context=tar:///workspace/context.tar.gz'), build.record.args.join(' '));
    assert.deepEqual(build.record.contextFiles, ['Dockerfile', 'app.txt']);

    const sasUrl = secretData.map((data) => data.CONTEXT_URL).find(Boolean);
    assert.ok(sasUrl, 'no Secret held the SAS URL');
    assert.equal(new URL(sasUrl).searchParams.get('sp'), 'r');
    const everything = JSON.stringify({ pod, secretData });
    assert.ok(!everything.includes(azurite.accountKey), 'the account key reached the cluster');

    build.secrets.push(sasUrl, new URL(sasUrl).searchParams.get('sig') ?? '');
    assertNoSecretInOutput(build);
    await assertNothingLeft(build);
  });

  it('SAS stops working after the build', async () => {
    // With a kept archive the SAS reads the same archive until it expires; with none, nothing.
    const { build, secretData } = await buildRecordingSecrets({ files: SMALL_BUILD, inputs: { contextRetentionInDays: '0' } }, 'delivery');
    const sasUrl = secretData.map((data) => data.CONTEXT_URL).find(Boolean) ?? '';

    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    const response = await fetch(sasUrl);
    assert.equal(response.status, 404, 'the blob can still be read after the build');
  });

  it('accountKey lets kaniko read the blob', async () => {
    const { build, secretData } = await buildRecordingSecrets({ files: SMALL_BUILD, inputs: { contextDelivery: 'accountKey' } }, 'delivery');

    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.equal(build.record?.pod.spec?.initContainers, undefined);
    assert.ok(build.record?.args.some((arg) => arg.startsWith('--context=https://devstoreaccount1.blob.core.windows.net/')), build.record?.args.join(' '));
    assert.ok(secretData.some((data) => data.AZURE_STORAGE_ACCESS_KEY === build.standIns.azurite.accountKey), 'no Secret held the key');
    assertNoSecretInOutput(build);
    await assertNothingLeft(build);
  });

  it('download image that cannot be pulled fails the step', async () => {
    const build = await runBuild({ files: SMALL_BUILD, inputs: { downloadImage: 'registry.stand-in.test/missing/curl:8.20.0' } });

    assert.equal(build.run.result, 'Failed');
    assert.match(errors(build.run), /download-context/);
    await assertNothingLeft(build);
  });

  it('direct streams the archive with no storage account', async () => {
    const files: Record<string, string> = { ...SMALL_BUILD, 'data/big.txt': 'x'.repeat(3 * 1024 * 1024) };
    files.Dockerfile = 'FROM alpine:3.20\nCOPY app.txt /app.txt\nCOPY data/big.txt /big.txt\n';
    const { build, secretData } = await buildRecordingSecrets({
      files,
      inputs: { contextDelivery: 'direct', storageAccount: undefined, storageContainer: undefined, storageAccessKey: undefined },
    }, 'delivery');

    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.ok(build.record, 'no pod ran');
    assert.ok(build.record.args.includes('--context=tar://stdin'), build.record.args.join(' '));
    assert.deepEqual(build.record.contextFiles, ['Dockerfile', 'app.txt', 'data/big.txt']);
    assert.equal(secretData.length, 1, 'a storage Secret was created');
    assert.match(build.run.log.join('\n'), /Streamed 3 files \(3\.0 MiB\) as a .+ archive into pod/);
    assert.equal(await containerExists(build), false, 'a blob container was created');
    await assertNothingLeft(build);
  });

  it('direct without attach rights fails and cleans up', async () => {
    const standIns = await sharedStandIns();
    // Without system:basic-user the permission check cannot run, so the attach itself fails.
    const token = standIns.cluster.addUser('no-attach', [
      { verbs: ['get', 'list', 'watch', 'create', 'delete', 'patch'], resources: ['pods', 'pods/log', 'secrets', 'events'] },
    ], { basicUser: false });
    const build = await runBuild({
      files: SMALL_BUILD,
      inputs: { contextDelivery: 'direct' },
      clusterEndpoint: kubeconfigEndpoint(standIns, { kubeconfig: standIns.cluster.kubeconfig({ token }) }),
    });
    build.secrets.push(token);

    assert.equal(build.run.result, 'Failed');
    assert.match(errors(build.run), /Could not stream the build context into pod .+ through the attach API: .*(403|forbidden)/i);
    assert.match(errors(build.run), /The task deleted the pod .+, so kaniko did not build from part of the build context\./);
    assert.doesNotMatch(errors(build.run), /RUN step/);
    const warnings = build.run.issues.filter((issue) => issue.type === 'warning').map((issue) => issue.message);
    assert.ok(warnings.includes('Input contextDelivery is direct, so the task uses no storage account and ignores the inputs storageAccount, storageAccessKey. Remove them, or choose another contextDelivery.'),
      warnings.join('\n'));
    await assertNothingLeft(build);
  });

  it('cancel while streaming deletes the pod', async () => {
    const files: Record<string, string> = { ...SMALL_BUILD, 'data/big.txt': 'y'.repeat(8 * 1024 * 1024) };
    const build = await runBuild({
      files,
      inputs: { contextDelivery: 'direct', storageAccount: undefined, storageContainer: undefined, storageAccessKey: undefined },
      cancel: { whenLine: /streaming it into the stdin of pod/ },
    });

    assert.equal(build.run.canceled, true);
    assert.notEqual(build.run.result, 'Succeeded');
    assert.deepEqual(build.run.signalsSent, ['SIGINT'], 'the task needed more than SIGINT to stop');
    assert.ok(build.record, 'the pod was never created');
    await assertNothingLeft(build);
  });
});
