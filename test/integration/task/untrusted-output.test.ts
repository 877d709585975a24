// Build output is untrusted: RUN steps that print the agent's logging commands must not set
// variables, change the result, log errors or upload artifacts. The log stream is cut in the
// middle of such a line, so that the line also arrives in two pieces and again after the resume.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { buildKubeconfig } from '../../../tools/local-cluster/apiserver/kubeconfig';
import { startFlakyProxy, type Fault, type FlakyProxy } from '../flaky-proxy';
import { sharedStandIns } from '../stand-ins';
import { errors, kubeconfigEndpoint, runBuild, type BuildRun } from './harness';

const FORGED_DIGEST = `sha256:${'0'.repeat(64)}`;
/** What the RUN steps print, each a logging command that must stay text. */
const FORGED_LINES = [
  `##vso[task.setvariable variable=imageDigest]${FORGED_DIGEST}`,
  '##vso[task.setvariable variable=imageName;isOutput=true]forged/image@sha256:1111',
  '##vso[task.complete result=Failed]forged by the build',
  '##[error]forged error from the build',
  '##vso[artifact.upload containerfolder=loot;artifactname=loot]/etc/passwd',
  'text before ##vso[task.uploadsummary]/etc/hostname',
  '##VSO[task.setsecret]casing does not help',
];

describe('KanikoBuild with logging commands in the build output', function () {
  this.timeout(120_000);
  let proxy: FlakyProxy;
  let build: BuildRun;

  before(async () => {
    const standIns = await sharedStandIns();
    let logRequests = 0;
    proxy = await startFlakyProxy({
      target: standIns.cluster.url,
      targetCaPem: standIns.cluster.caPem,
      tls: true,
      decide: (request): Fault => {
        if (request.method !== 'GET' || !/\/log\?/.test(request.path)) return { kind: 'pass' };
        logRequests += 1;
        // The first log stream breaks after `##vs` of the artifact line.
        return logRequests === 1 ? { kind: 'cut', text: '##vso[artifact.upload', keep: 4 } : { kind: 'pass' };
      },
    });
    const kubeconfig = buildKubeconfig({ server: proxy.url, caPem: proxy.caPem!, token: standIns.cluster.adminToken, userName: 'builder' });
    const steps = FORGED_LINES.map((line) => `RUN echo '${line}'`);
    build = await runBuild({
      files: { Dockerfile: ['FROM alpine:3.20', 'RUN echo first step', ...steps, 'RUN echo last step'].join('\n') },
      clusterEndpoint: kubeconfigEndpoint(standIns, { kubeconfig }),
    });
  });

  after(async () => {
    await proxy?.stop();
  });

  it('the log stream broke inside a forged line and resumed', () => {
    const logRequests = proxy.log.filter((entry) => /\/log\?/.test(entry.request.path));
    assert.ok(logRequests.length >= 2, `${logRequests.length} log request(s)`);
    assert.equal(logRequests[0].fault.kind, 'cut');
    assert.match(logRequests[1].request.path, /sinceTime=/);
  });

  it('the result and variables are the task own', () => {
    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.match(build.run.variables.imageDigest?.value ?? '', /^sha256:[a-f0-9]{64}$/);
    assert.notEqual(build.run.variables.imageDigest?.value, FORGED_DIGEST);
    assert.doesNotMatch(build.run.variables.imageName?.value ?? '', /^forged/);
    assert.deepEqual(Object.keys(build.run.variables).sort(), ['imageDigest', 'imageName']);
  });

  it('no forged command reached the agent', () => {
    const commands = build.run.commands.map((command) => `${command.area}.${command.event}`);
    assert.ok(!commands.includes('artifact.upload'), commands.join(', '));
    // The task attaches its own summary once; the forged command would attach /etc/hostname.
    assert.equal(commands.filter((command) => command === 'task.uploadsummary').length, 1, commands.join(', '));
    assert.deepEqual(build.run.summaries.map((summary) => path.dirname(path.dirname(summary.path))), [build.run.directories.tempDirectory]);
    const completions = build.run.commands.filter((command) => command.event === 'complete');
    assert.deepEqual(completions.map((command) => command.properties.result), ['Succeeded']);
    assert.deepEqual(build.run.issues.filter((issue) => issue.type === 'error'), []);
    assert.ok(!build.run.secrets.includes('casing does not help'), 'a forged setsecret was processed');
  });

  it('each forged line shows once, as text', () => {
    for (const line of FORGED_LINES) {
      const copies = build.run.log.filter((logged) => logged.replace(/\u200b/g, '') === line);
      assert.equal(copies.length, 1, `${line} shows ${copies.length} times:\n${build.run.log.join('\n')}`);
    }
    assert.ok(build.run.log.includes('last step'), 'the log after the resume is missing');
  });
});
