import * as assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { formatDuration } from '../../../tasks/KanikoBuildV1/src/format';
import { codeSpan } from '../../../tasks/KanikoBuildV1/src/summary/code-span';
import { renderSummary } from '../../../tasks/KanikoBuildV1/src/summary/markdown';
import { summaryFile, summaryTitle } from '../../../tasks/KanikoBuildV1/src/summary/publish';
import { registryPointer } from '../../../tasks/KanikoBuildV1/src/summary/registry-link';
import { RunReport, type SummaryFacts } from '../../../tasks/KanikoBuildV1/src/summary/run-report';
import type { Settings } from '../../../tasks/KanikoBuildV1/src/settings/types';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** Returns a clock that a test moves forward by hand. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1_000_000;
  return { now: () => time, advance: (ms) => { time += ms; } };
}

function settings(changes: { repository?: string; tags?: string[]; contextDir?: string; delivery?: 'sasDownload' | 'accountKey' | 'direct' } = {}) {
  const delivery = changes.delivery ?? 'sasDownload';
  return {
    image: { repository: changes.repository ?? 'registry.example.test/team/web', tags: changes.tags ?? ['42', 'latest'] },
    build: { contextDir: changes.contextDir ?? '/work/s/web' } as Settings['build'],
    context: { delivery, downloadImage: 'curl', retentionDays: 7 },
    storage: delivery === 'direct' ? undefined : { account: 'contexts', container: 'kaniko-contexts' } as Settings['storage'],
    run: { buildId: '42', jobId: 'job', teamProject: 'p', definitionName: 'd', tempDirectory: '/agent/_temp', stepId: 'step-1', stepDisplayName: 'Build web' },
  };
}

function pod(nodeName?: string): V1Pod {
  return { spec: { containers: [], nodeName } };
}

/** Runs a report through a whole successful build, each phase taking the given seconds. */
function successfulReport(delivery: 'sasDownload' | 'direct' = 'sasDownload', reused = false): RunReport {
  const clock = manualClock();
  const report = new RunReport(clock.now);
  report.recordSettings(settings({ delivery }));
  clock.advance(2_000);
  report.mark('validation', true);

  if (delivery !== 'direct') {
    report.mark('upload');
    report.recordBlob('sha256/0123.tar.gz');
    clock.advance(500);
    report.recordTransfer({ files: 12, contentBytes: 20_480, archiveBytes: 4_096, uploadedBytes: reused ? 0 : 4_096, reused });
    report.mark('upload', true);
  }

  report.mark('scheduling');
  report.recordPod('builds', 'kaniko-42-ab12');
  clock.advance(1_000);
  report.recordProgress('scheduled', pod('aks-nodepool1-0'));
  clock.advance(3_000);
  report.recordProgress('started', pod('aks-nodepool1-0'));

  if (delivery === 'direct') {
    report.mark('upload');
    clock.advance(700);
    report.recordTransfer({ files: 12, contentBytes: 20_480, archiveBytes: 4_096, uploadedBytes: 4_096, reused: false });
    report.mark('upload', true);
  }

  clock.advance(45_000);
  report.recordProgress('ended', pod('aks-nodepool1-0'));
  report.recordDigest(DIGEST);

  report.mark('cleanup');
  clock.advance(300);
  report.mark('cleanup', true);
  return report;
}

function facts(report: RunReport, result: 'Succeeded' | 'Failed' | 'Canceled' = 'Succeeded'): SummaryFacts {
  const value = report.facts(result);
  assert.ok(value, 'the report has facts');
  return value;
}

describe('step summary', () => {
  describe('successful build', () => {
    const markdown = renderSummary(facts(successfulReport()));

    it('names the pushed image', () => {
      assert.match(markdown, new RegExp(`^\\*\\*Succeeded\\.\\*\\* Pushed \`registry\\.example\\.test/team/web@${DIGEST}\`\\.$`, 'm'));
      assert.ok(markdown.includes(`- **Digest:** \`${DIGEST}\``), markdown);
      assert.ok(markdown.includes(`- **Image by digest:** \`registry.example.test/team/web@${DIGEST}\``), markdown);
    });

    it('lists repository and tags', () => {
      assert.ok(markdown.includes('- **Repository:** `registry.example.test/team/web`'), markdown);
      assert.ok(markdown.includes('- **Tags:** `42`, `latest`'), markdown);
    });

    it('shows context sizes and upload', () => {
      assert.ok(markdown.includes('- **Build context:** `/work/s/web`: 12 files, 20.0 KiB before compression, 4.0 KiB compressed'), markdown);
      assert.ok(markdown.includes('- **Context upload:** uploaded 4.0 KiB to blob `kaniko-contexts/sha256/0123.tar.gz` in storage account `contexts`'), markdown);
    });

    it('shows pod and node', () => {
      assert.ok(markdown.includes('- **Pod:** `builds/kaniko-42-ab12` on node `aks-nodepool1-0`'), markdown);
    });

    it('times every phase', () => {
      const table = markdown.slice(markdown.indexOf('| Phase |'));
      assert.equal(table, [
        '| Phase | Time |',
        '| --- | ---: |',
        '| Validation of inputs, connections and permissions | 2.0 s |',
        '| Context packing and upload | 0.5 s |',
        '| Pod creation and scheduling | 1.0 s |',
        '| Pod start: image pulls and context download | 3.0 s |',
        '| Build | 45.0 s |',
        '| Cleanup | 0.3 s |',
        '| **Total** | **51.8 s** |',
        '',
      ].join('\n'));
    });

    it('has no registry pointer for other registries', () => {
      assert.doesNotMatch(markdown, /Registry:/);
    });
  });

  it('says a reused archive skipped the upload', () => {
    const markdown = renderSummary(facts(successfulReport('sasDownload', true)));
    assert.ok(markdown.includes('- **Context upload:** skipped, because an earlier run with the same sources uploaded blob '
      + '`kaniko-contexts/sha256/0123.tar.gz` in storage account `contexts`'), markdown);
    assert.ok(markdown.includes('12 files, 20.0 KiB before compression, 4.0 KiB compressed'), markdown);
  });

  it('says a direct delivery streamed the context', () => {
    const markdown = renderSummary(facts(successfulReport('direct')));
    assert.ok(markdown.includes('- **Context upload:** streamed 4.0 KiB into the pod through the Kubernetes API'), markdown);
    const rows = markdown.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Phase') && !line.startsWith('| ---'));
    assert.deepEqual(rows, [
      '| Validation of inputs, connections and permissions | 2.0 s |',
      '| Pod creation and scheduling | 1.0 s |',
      '| Pod start: image pulls | 3.0 s |',
      '| Build | 45.7 s |',
      '| Context packing and streaming, while the build runs | 0.7 s |',
      '| Cleanup | 0.3 s |',
      '| **Total** | **52.0 s** |',
    ]);
    assert.doesNotMatch(markdown, /storage account/);
  });

  describe('failed build', () => {
    it('names the phase it stopped in', () => {
      const clock = manualClock();
      const report = new RunReport(clock.now);
      report.recordSettings(settings());
      clock.advance(1_000);
      report.mark('validation', true);
      report.mark('upload');
      report.recordTransfer({ files: 3, contentBytes: 100, archiveBytes: 80, uploadedBytes: 80, reused: false });
      report.mark('upload', true);
      report.mark('scheduling');
      report.recordPod('builds', 'kaniko-42-ab12');
      clock.advance(300_000);
      report.mark('cleanup');
      clock.advance(200);
      report.mark('cleanup', true);
      const markdown = renderSummary(facts(report, 'Failed'));

      assert.match(markdown, /^\*\*Failed\*\* in the phase \*Pod creation and scheduling\*\. The step's log has the error message, the last lines of the build log and the pod's events\.$/m);
      assert.ok(markdown.includes('| Pod creation and scheduling | 5 min 00 s, did not finish |'), markdown);
      assert.ok(markdown.includes('| Cleanup | 0.2 s |'), markdown);
      assert.ok(markdown.includes('- **Pod:** `builds/kaniko-42-ab12`\n'), 'no node before scheduling');
      assert.doesNotMatch(markdown, /Digest|Image by digest|sha256:/);
    });

    it('mentions no pod before one was created', () => {
      const report = new RunReport();
      report.recordSettings(settings());
      report.mark('validation', true);
      report.mark('upload');
      const markdown = renderSummary(facts(report, 'Failed'));

      assert.match(markdown, /^\*\*Failed\*\* in the phase \*Context packing and upload\*\. The step's log has the error message\.$/m);
      assert.doesNotMatch(markdown, /build log|Pod/);
    });

    it('says a noPush build succeeded without a push', () => {
      const markdown = renderSummary({ ...facts(successfulReport()), digest: undefined });

      assert.match(markdown, /^\*\*Succeeded\.\*\* Built without a push \(noPush\), so no registry has the image\.$/m);
      assert.doesNotMatch(markdown, /Failed|Image by digest/);
    });

    it('names the build after a build error', () => {
      const report = successfulReport();
      const markdown = renderSummary(facts(report, 'Failed'));
      assert.match(markdown, /^\*\*Failed\*\* in the phase \*Build\*\. The step's log/m);
      assert.doesNotMatch(markdown, /sha256:ab/);
      assert.doesNotMatch(markdown, /did not finish/);
    });

    it('names the streaming when it broke', () => {
      const clock = manualClock();
      const report = new RunReport(clock.now);
      report.recordSettings(settings({ delivery: 'direct' }));
      report.mark('validation', true);
      report.mark('scheduling');
      report.recordProgress('scheduled', pod('node'));
      report.recordProgress('started', pod('node'));
      report.mark('upload');
      clock.advance(1_000);
      report.mark('cleanup');
      const markdown = renderSummary(facts(report, 'Failed'));
      assert.match(markdown, /^\*\*Failed\*\* in the phase \*Context packing and streaming, while the build runs\*\./m);
      assert.ok(markdown.includes('| Build | 1.0 s, did not finish |'), markdown);
    });

    it('has no failure phase before any phase', () => {
      const report = new RunReport();
      report.recordSettings(settings());
      const markdown = renderSummary({ ...facts(report, 'Failed'), phases: [] });
      assert.match(markdown, /^\*\*Failed\.\*\* The step's log/m);
    });

    it('reports a cancel during validation', () => {
      const clock = manualClock();
      const report = new RunReport(clock.now);
      report.recordSettings(settings());
      clock.advance(4_000);
      const markdown = renderSummary(facts(report, 'Canceled'));
      assert.match(markdown, /^\*\*Canceled\*\* in the phase \*Validation of inputs, connections and permissions\*\.$/m);
      assert.ok(markdown.includes('| Validation of inputs, connections and permissions | 4.0 s, did not finish |'), markdown);
      assert.doesNotMatch(markdown, /Context upload|Pod:/);
    });

    it('has no facts before valid settings', () => {
      assert.equal(new RunReport().facts('Failed'), undefined);
    });
  });

  describe('escaping', () => {
    it('keeps markdown in paths and tags literal', () => {
      const report = new RunReport();
      report.recordSettings(settings({ contextDir: '/w/s/*bold* [link](http://x) <b>`tick`</b>\nnext', tags: ['v1_2'] }));
      const markdown = renderSummary(facts(report, 'Failed'));
      assert.ok(markdown.includes('- **Build context:** ``/w/s/*bold* [link](http://x) <b>`tick`</b> next``'), markdown);
      assert.ok(markdown.includes('- **Tags:** `v1_2`'), markdown);
    });

    const cases: Array<[string, string]> = [
      ['plain', '`plain`'],
      ['a`b', '``a`b``'],
      ['``x', '``` ``x ```'],
      ['x`', '`` x` ``'],
      [' padded ', '`  padded  `'],
      ['line\r\nbreak', '`line break`'],
      ['', ''],
    ];
    for (const [text, expected] of cases) {
      it(`writes ${JSON.stringify(text)} as a code span`, () => {
        assert.equal(codeSpan(text), expected);
      });
    }
  });

  describe('registry pointer', () => {
    it('links Docker Hub tags', () => {
      assert.equal(registryPointer('docker.io/team/web', DIGEST), '[tags on Docker Hub](https://hub.docker.com/r/team/web/tags)');
    });

    it('skips Docker Hub official and nested names', () => {
      assert.equal(registryPointer('docker.io/library/web', DIGEST), undefined);
      assert.equal(registryPointer('docker.io/team/web/api', DIGEST), undefined);
    });

    it('shows the Azure CLI command for ACR', () => {
      assert.equal(registryPointer('myregistry.azurecr.io/team/web', DIGEST),
        `show the image with \`az acr repository show --name myregistry --image team/web@${DIGEST}\``);
    });

    it('passes an ACR login server suffix', () => {
      assert.equal(registryPointer('myregistry-abc123.azurecr.cn/web', DIGEST),
        `show the image with \`az acr repository show --name myregistry --suffix abc123 --image web@${DIGEST}\``);
    });

    it('needs a digest for ACR', () => {
      assert.equal(registryPointer('myregistry.azurecr.io/team/web'), undefined);
    });

    it('has nothing for other registries', () => {
      assert.equal(registryPointer('ghcr.io/team/web', DIGEST), undefined);
      assert.equal(registryPointer('registry.azurecr.io.example.test/web', DIGEST), undefined);
    });

    it('appears in the summary', () => {
      const report = new RunReport();
      report.recordSettings(settings({ repository: 'myregistry.azurecr.io/team/web' }));
      report.recordDigest(DIGEST);
      const markdown = renderSummary(facts(report, 'Succeeded'));
      assert.ok(markdown.includes(`- **Registry:** show the image with \`az acr repository show --name myregistry --image team/web@${DIGEST}\``), markdown);
    });
  });

  describe('file name', () => {
    it('uses the display name', () => {
      assert.equal(summaryFile({ tempDirectory: '/agent/_temp', stepId: 'f00d', stepDisplayName: 'Build web' }), '/agent/_temp/kaniko-build-f00d/Build web.md');
    });

    it('replaces invalid characters', () => {
      assert.equal(summaryTitle('Build samples/flask-app: <web>|"x"?*\\y\t'), 'Build samples-flask-app- -web---x----y');
    });

    it('drops trailing dots and spaces', () => {
      assert.equal(summaryTitle('Build web. . '), 'Build web');
    });

    it('falls back without a name', () => {
      assert.equal(summaryTitle(undefined), 'Kaniko build');
      assert.equal(summaryTitle('...'), 'Kaniko build');
    });

    it('limits the length', () => {
      assert.equal(summaryTitle('x'.repeat(300)).length, 100);
    });

    it('differs per step without an id', () => {
      const run = { tempDirectory: '/t', stepDisplayName: 'Build' };
      assert.notEqual(summaryFile(run), summaryFile(run));
    });
  });

  describe('durations', () => {
    const cases: Array<[number, string]> = [[0, '0.0 s'], [420, '0.4 s'], [59_940, '59.9 s'], [59_960, '1 min 00 s'], [185_000, '3 min 05 s'], [3_720_000, '1 h 02 min']];
    for (const [milliseconds, expected] of cases) {
      it(`formats ${milliseconds} ms`, () => {
        assert.equal(formatDuration(milliseconds), expected);
      });
    }
  });
});
