// The step summary that the bundled task attaches with task.uploadsummary, read through the
// agent-like runner after runs against the local cluster and Azurite.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { TaskSummary } from '../../../tools/runner';
import { STAND_IN_REGISTRY } from '../stand-ins';
import { errors, runBuild, type BuildRun } from './harness';

/** A size as the summary writes it, such as `1023 B` or `1.4 KiB`. */
const SIZE = '[\\d.]+ (?:B|KiB|MiB)';

/** Returns the run's only summary, which the runner read when the step ended. */
function onlySummary(build: BuildRun): TaskSummary & { content: string } {
  assert.equal(build.run.summaries.length, 1, `summaries: ${JSON.stringify(build.run.summaries)}\n${build.run.log.join('\n')}`);
  const [summary] = build.run.summaries;
  assert.ok(summary.content !== undefined, `the summary ${summary.path} could not be read`);
  return { ...summary, content: summary.content };
}

describe('KanikoBuild step summary', function () {
  this.timeout(180_000);

  describe('after a build', () => {
    let build: BuildRun;
    let summary: TaskSummary & { content: string };
    before(async () => {
      build = await runBuild();
      summary = onlySummary(build);
    });

    it('succeeds', () => {
      assert.equal(build.run.result, 'Succeeded', errors(build.run));
    });

    it('is named after the step', () => {
      assert.equal(summary.type, 'DistributedTask.Core.Summary');
      assert.equal(summary.name, 'Build samples-flask-app with kaniko.md');
      assert.equal(path.dirname(path.dirname(summary.path)), build.run.directories.tempDirectory);
    });

    it('shows the output digest', () => {
      const digest = build.run.variables.imageDigest?.value;
      assert.ok(digest, 'imageDigest is not set');
      assert.ok(summary.content.includes(`- **Digest:** \`${digest}\``), summary.content);
      assert.ok(summary.content.includes(`- **Image by digest:** \`${build.run.variables.imageName?.value}\``), summary.content);
      assert.ok(summary.content.startsWith(`**Succeeded.** Pushed \`${STAND_IN_REGISTRY.host}/samples/flask-app@${digest}\`.`), summary.content);
    });

    it('shows tags, pod and node', () => {
      assert.ok(summary.content.includes('- **Tags:** `4711`, `latest`'), summary.content);
      assert.ok(build.record, 'the kubelet ran no pod');
      assert.ok(summary.content.includes(`- **Pod:** \`${build.namespace}/${build.record.name}\` on node \`local-node-1\``), summary.content);
    });

    it('shows the context sent', () => {
      const files = build.record?.contextFiles.length;
      assert.match(summary.content, new RegExp(`- \\*\\*Build context:\\*\\* \`[^\`]+\`: ${files} files, ${SIZE} before compression, ${SIZE} compressed`));
      assert.match(summary.content, new RegExp(`- \\*\\*Context upload:\\*\\* uploaded ${SIZE} to blob \`${build.container}/sha256/[0-9a-f]{64}\\.tar\\.gz\``));
    });

    it('times every phase', () => {
      const phases = summary.content.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Phase') && !line.startsWith('| ---')).map((line) => line.split(' | ')[0].slice(2));
      assert.deepEqual(phases, [
        'Validation of inputs, connections and permissions', 'Context packing and upload', 'Pod creation and scheduling',
        'Pod start: image pulls and context download', 'Build', 'Cleanup', '**Total**',
      ]);
      assert.doesNotMatch(summary.content, /did not finish/);
    });

    it('says a rerun skipped the upload', async () => {
      const rerun = await runBuild({ container: build.container });
      assert.equal(rerun.run.result, 'Succeeded', errors(rerun.run));
      const content = onlySummary(rerun).content;
      assert.match(content, /- \*\*Context upload:\*\* skipped, because an earlier run with the same sources uploaded blob/);
      assert.ok(content.includes(`- **Digest:** \`${rerun.run.variables.imageDigest?.value}\``), content);
    });
  });

  it('names the phase of a failed build', async () => {
    const build = await runBuild({ files: { Dockerfile: 'FROM alpine:3.20\nRUN exit 3\n' } });
    assert.equal(build.run.result, 'Failed');
    const { content } = onlySummary(build);
    assert.match(content, /^\*\*Failed\*\* in the phase \*Build\*\. The step's log has the error message/);
    assert.doesNotMatch(content, /Digest|sha256:[0-9a-f]{64}`\.|exit code/i);
    assert.match(content, /\| Build \| [\d.]+ s \|/, "the build ended, with an error");
    assert.match(content, /\| Cleanup \| [\d.]+ s \|/);
  });

  it('says a direct delivery streamed', async () => {
    const build = await runBuild({
      inputs: { contextDelivery: 'direct', storageAccount: undefined, storageContainer: undefined, storageAccessKey: undefined },
    });
    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    const { content } = onlySummary(build);
    assert.match(content, new RegExp(`- \\*\\*Context upload:\\*\\* streamed ${SIZE} into the pod through the Kubernetes API`));
    assert.match(content, /\| Context packing and streaming, while the build runs \| [\d.]+ s \|/);
  });

  it('is not written for invalid settings', async () => {
    const build = await runBuild({ inputs: { tags: 'not a tag' } });
    assert.equal(build.run.result, 'Failed');
    assert.deepEqual(build.run.summaries, []);
  });
});
