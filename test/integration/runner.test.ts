// Runs small throwaway tasks, written with the project's azure-pipelines-task-lib, through the
// agent-like runner to prove inputs, endpoints, variables, secrets, results and cancellation
// end to end. It needs no stand-ins.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasNode24, node24Path } from '../../tools/node24/path';
import { runTask, type TaskRunOptions } from '../../tools/runner/index';

const ENDPOINT_ID = '3d5e7f90-1a2b-4c3d-8e4f-5a6b7c8d9e0f';
const TASK_LIB = require.resolve('azure-pipelines-task-lib/task');

const TASK_JSON = {
  name: 'RunnerProbe',
  instanceNameFormat: 'Probe greets $(greeting)',
  inputs: [
    { name: 'scenario', type: 'pickList', defaultValue: 'report' },
    { name: 'connection', aliases: ['conn'], type: 'connectedService:kubernetes' },
    { name: 'greeting', type: 'string', defaultValue: 'build $(Build.BuildId)' },
    { name: 'contextPath', type: 'filePath', defaultValue: '' },
  ],
  execution: { Node20_1: { target: 'main.js' }, Node24: { target: 'main.js' } },
  postjobexecution: { Node20_1: { target: 'post.js' }, Node24: { target: 'post.js' } },
};

// The probe task. Each scenario exercises one part of the agent contract.
const MAIN_JS = `
const tl = require(${JSON.stringify(TASK_LIB)});
const fs = require('fs');
const path = require('path');
const scenario = tl.getInput('scenario', true);
const stamp = () => String(Date.now());

if (scenario === 'report') {
  const id = tl.getInput('connection', true);
  console.log('greeting=' + tl.getInput('greeting'));
  console.log('context=' + tl.getPathInput('contextPath') + ' supplied=' + tl.filePathSupplied('contextPath'));
  console.log('endpoint=' + tl.getEndpointUrl(id, false) + ' scheme=' + tl.getEndpointAuthorizationScheme(id, false));
  console.log('kubeconfig=' + tl.getEndpointAuthorizationParameter(id, 'kubeconfig', false));
  console.log('data=' + tl.getEndpointDataParameter(id, 'authorizationType', false));
  console.log('secret variable=' + tl.getVariable('registry.password'));
  console.log('plain variable=' + tl.getVariable('custom.setting'));
  console.log('node=' + process.version + ' exec=' + process.execPath);
  console.log('cwd=' + process.cwd());
  console.log('leak=' + (process.env.RUNNER_PARENT_ONLY === undefined ? 'none' : 'leaked'));
  console.log('temp=' + tl.getVariable('Agent.TempDirectory') + ' home=' + process.env.HOME);
  console.log('step=' + tl.getVariable('System.TaskDisplayName') + ' | ' + tl.getVariable('System.TaskInstanceName')
    + ' | ' + tl.getVariable('System.TaskInstanceId'));
  tl.setVariable('imageDigest', 'sha256:0123', false, true);
  tl.setVariable('derivedToken', 'derived-token-value', true);
  tl.setSecret('runtime-secret-1');
  console.log('echo derived-token-value runtime-secret-1');
  tl.setTaskVariable('podName', 'kaniko-abc');
  console.log('##[group]Upload');
  console.log('uploading');
  console.log('##[endgroup]');
  const summary = path.join(tl.getVariable('Agent.TempDirectory'), 'summary.md');
  fs.writeFileSync(summary, '# Build summary');
  tl.uploadSummary(summary);
  tl.warning('a warning');
  tl.setResult(tl.TaskResult.SucceededWithIssues, 'finished with a warning');
} else if (scenario === 'fail') {
  tl.setResult(tl.TaskResult.Failed, 'the build failed');
} else if (scenario === 'exit') {
  process.exit(3);
} else if (scenario === 'throw') {
  Promise.reject(new Error('unhandled failure'));
} else if (scenario === 'sigint') {
  process.on('SIGINT', () => {
    console.log('sigint ' + stamp());
    tl.setResult(tl.TaskResult.Failed, 'canceled, cleaned up');
    process.exit(0);
  });
  console.log('ready');
  setInterval(() => undefined, 1000);
} else if (scenario === 'sigterm') {
  process.on('SIGINT', () => console.log('sigint ' + stamp()));
  process.on('SIGTERM', () => {
    console.log('sigterm ' + stamp());
    process.exit(0);
  });
  console.log('ready');
  setInterval(() => undefined, 1000);
} else if (scenario === 'stubborn') {
  process.on('SIGINT', () => console.log('ignoring SIGINT'));
  process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
  console.log('ready');
  setInterval(() => undefined, 1000);
} else if (scenario === 'done') {
  tl.setResult(tl.TaskResult.Succeeded, 'done early', true);
  setInterval(() => console.log('still running'), 200);
}
`;

const POST_JS = `
const tl = require(${JSON.stringify(TASK_LIB)});
console.log('post sees podName=' + tl.getTaskVariable('podName'));
console.log('post sees digest variable=' + tl.getVariable('imageDigest'));
`;

describe('agent-like task runner', function () {
  this.timeout(60_000);
  let taskDir: string;

  before(() => {
    taskDir = mkdtempSync(join(tmpdir(), 'runner-probe-'));
    writeFileSync(join(taskDir, 'task.json'), JSON.stringify(TASK_JSON));
    writeFileSync(join(taskDir, 'main.js'), MAIN_JS);
    writeFileSync(join(taskDir, 'post.js'), POST_JS);
  });
  after(() => rmSync(taskDir, { recursive: true, force: true }));

  function run(options: Omit<TaskRunOptions, 'taskDir'>) {
    return runTask({ taskDir, ...options });
  }

  function reportOptions(): Omit<TaskRunOptions, 'taskDir'> {
    return {
      inputs: { conn: ENDPOINT_ID.toUpperCase() },
      endpoints: {
        [ENDPOINT_ID]: {
          url: 'https://127.0.0.1:6443',
          scheme: 'Kubeconfig',
          parameters: { kubeconfig: 'kubeconfig-secret-text' },
          data: { authorizationType: 'Kubeconfig' },
        },
      },
      variables: { 'custom.setting': 'on' },
      secretVariables: { 'registry.password': 'registry-pass-9' },
    };
  }

  it('command line prints the log, variables and summary', () => {
    const runFile = join(taskDir, 'run.json');
    writeFileSync(runFile, JSON.stringify(reportOptions()));
    const cli = join(__dirname, '..', '..', 'tools', 'runner', 'cli.ts');
    const result = spawnSync(process.execPath, ['--import', 'tsx', cli, '--task', taskDir, '--run', runFile], { encoding: 'utf8', timeout: 60_000 });

    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Result: SucceededWithIssues/);
    assert.match(result.stdout, /\nSummary summary\.md:\n/);
    assert.doesNotMatch(result.stdout, /registry-pass-9|kubeconfig-secret-text/);
  });

  it('passes inputs, endpoints and variables', async () => {
    process.env.RUNNER_PARENT_ONLY = 'x';
    const result = await run(reportOptions()).finally(() => delete process.env.RUNNER_PARENT_ONLY);

    assert.equal(result.result, 'SucceededWithIssues', result.log.join('\n'));
    assert.equal(result.exitCode, 0);
    assert.ok(result.log.includes('greeting=build 1234'), 'default with $(Build.BuildId) expanded');
    assert.ok(result.log.includes(`context=${result.directories.sourcesDirectory} supplied=false`));
    assert.ok(result.log.includes('endpoint=https://127.0.0.1:6443 scheme=Kubeconfig'));
    assert.ok(result.log.includes('kubeconfig=***'), 'endpoint parameters are masked');
    assert.ok(result.log.includes('data=Kubeconfig'));
    assert.ok(result.log.includes('secret variable=***'));
    assert.ok(result.rawStdout.includes('secret variable=registry-pass-9'), 'the task read the secret variable');
    assert.ok(result.log.includes('plain variable=on'));
    assert.ok(result.log.includes(`cwd=${result.directories.sourcesDirectory}`));
    assert.ok(result.log.includes('leak=none'), 'the test process environment must not reach the task');
    assert.ok(result.log.includes(`temp=${result.directories.tempDirectory} home=${result.directories.home}`));
    assert.match(result.log.join('\n'), /^step=Probe greets build 1234 \| RunnerProbe \| [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/m);
  });

  it('names the step as given', async () => {
    const instanceId = '0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a';
    const result = await run({ ...reportOptions(), displayName: 'Build the web image', stepName: 'build', instanceId });
    assert.ok(result.log.includes(`step=Build the web image | build | ${instanceId}`), result.log.join('\n'));
  });

  it('reports variables, secrets, issues and summaries', async () => {
    const result = await run(reportOptions());

    assert.deepEqual(result.variables.imageDigest, { value: 'sha256:0123', isSecret: false, isOutput: true, isReadOnly: false });
    assert.equal(result.variables.derivedToken.isSecret, true);
    assert.deepEqual(result.secrets, ['derived-token-value', 'runtime-secret-1']);
    assert.ok(result.log.includes('echo *** ***'));
    assert.ok(result.rawStdout.includes('echo derived-token-value runtime-secret-1'));
    assert.ok(!result.log.some((line) => line.includes('##vso[')), 'commands are not shown');
    assert.deepEqual(result.taskVariables, { podName: { value: 'kaniko-abc', isSecret: false } });
    assert.deepEqual(result.groups, [{ name: 'Upload', lines: ['uploading'], closed: true }]);
    assert.deepEqual(result.issues.map((i) => `${i.type}: ${i.message}`), ['warning: a warning', 'warning: finished with a warning']);
    assert.equal(result.summaries.length, 1);
    assert.equal(result.summaries[0].name, 'summary.md');
    assert.equal(result.summaries[0].content, '# Build summary');
  });

  it('runs the post-job stage with task variables', async () => {
    const main = await run(reportOptions());
    const post = await run({
      stage: 'post',
      inputs: { conn: ENDPOINT_ID },
      endpoints: reportOptions().endpoints,
      taskVariables: main.taskVariables,
      variables: { imageDigest: main.variables.imageDigest.value },
    });
    assert.equal(post.result, 'Succeeded');
    assert.ok(post.log.includes('post sees podName=kaniko-abc'), post.log.join('\n'));
    assert.ok(post.log.includes('post sees digest variable=sha256:0123'));
  });

  it('runs the task on the test process Node.js', async () => {
    const result = await run(reportOptions());
    const major = Number(process.versions.node.split('.')[0]);
    assert.equal(result.nodePath, process.execPath);
    assert.equal(result.handler, major >= 24 ? 'Node24' : 'Node20_1');
    assert.ok(result.log.includes(`node=${process.version} exec=${process.execPath}`), result.log.join('\n'));
  });

  it('runs the task on Node 24', async function () {
    if (!hasNode24()) this.skip();
    const result = await run({ ...reportOptions(), nodePath: node24Path() });
    assert.equal(result.handler, 'Node24');
    assert.ok(result.log.some((line) => /^node=v24\./.test(line)), result.log.join('\n'));
  });

  it('fails on task.complete Failed', async () => {
    const result = await run({ inputs: { scenario: 'fail' } });
    assert.equal(result.result, 'Failed');
    assert.equal(result.exitCode, 0);
    assert.deepEqual(result.issues.map((i) => i.message), ['the build failed']);
  });

  it('fails on a non-zero exit code', async () => {
    const result = await run({ inputs: { scenario: 'exit' } });
    assert.equal(result.result, 'Failed');
    assert.equal(result.exitCode, 3);
    assert.match(result.issues[0].message, /ended with exit code 3/);
  });

  it('fails on an unhandled rejection', async () => {
    const result = await run({ inputs: { scenario: 'throw' } });
    assert.equal(result.result, 'Failed');
    assert.ok(result.issues.some((i) => i.message.includes('unhandled failure')));
  });

  it('rejects wrong input names and endpoint ids', async () => {
    await assert.rejects(run({ inputs: { scenaro: 'fail' } }), /Unknown input name\(s\) for task RunnerProbe: scenaro/);
    await assert.rejects(run({ endpoints: { k8s: { url: 'https://127.0.0.1', scheme: 'Token' } } }), /"k8s" is not a GUID/);
    await assert.rejects(
      run({ endpoints: { [ENDPOINT_ID]: { url: 'https://127.0.0.1', scheme: 'Token' } } }),
      /not named by any connectedService input/,
    );
  });

  it('cancels with SIGINT when a line matches', async () => {
    const result = await run({ inputs: { scenario: 'sigint' }, cancel: { whenLine: /^ready$/ } });
    assert.equal(result.result, 'Canceled');
    assert.equal(result.canceled, true);
    assert.deepEqual(result.signalsSent, ['SIGINT']);
    assert.ok(result.log.some((line) => line.startsWith('sigint ')), result.log.join('\n'));
    assert.ok(result.issues.some((i) => i.message === 'canceled, cleaned up'));
  });

  it('sends SIGTERM 7.5 s after SIGINT', async () => {
    const result = await run({ inputs: { scenario: 'sigterm' }, cancel: { whenLine: /^ready$/ } });
    assert.deepEqual(result.signalsSent, ['SIGINT', 'SIGTERM']);
    const sigint = Number(result.log.find((line) => line.startsWith('sigint '))?.split(' ')[1]);
    const sigterm = Number(result.log.find((line) => line.startsWith('sigterm '))?.split(' ')[1]);
    const gap = sigterm - sigint;
    assert.ok(gap >= 7_400, `SIGTERM came ${gap} ms after SIGINT`);
    assert.ok(gap < 9_000, `SIGTERM came ${gap} ms after SIGINT`);
    assert.equal(result.result, 'Canceled');
  });

  it('kills a task that ignores SIGINT and SIGTERM', async () => {
    const result = await run({
      inputs: { scenario: 'stubborn' },
      cancel: { whenLine: /^ready$/ },
      signalTimeouts: { sigintTimeoutMs: 200, sigtermTimeoutMs: 200 },
    });
    assert.deepEqual(result.signalsSent, ['SIGINT', 'SIGTERM', 'SIGKILL']);
    assert.equal(result.signal, 'SIGKILL');
    assert.equal(result.result, 'Canceled');
    assert.ok(result.log.includes('ignoring SIGINT'));
    assert.ok(result.log.includes('ignoring SIGTERM'));
  });

  it('cancels after a delay', async () => {
    const started = Date.now();
    const result = await run({ inputs: { scenario: 'sigint' }, cancel: { afterMs: 1_000 } });
    assert.equal(result.result, 'Canceled');
    assert.equal(result.signalsSent[0], 'SIGINT');
    assert.ok(Date.now() - started >= 1_000);
  });

  it('fails a task that times out', async () => {
    const result = await run({
      inputs: { scenario: 'stubborn' },
      timeoutMs: 300,
      signalTimeouts: { sigintTimeoutMs: 100, sigtermTimeoutMs: 100 },
    });
    assert.equal(result.timedOut, true);
    assert.equal(result.result, 'Failed');
    assert.ok(result.issues.some((i) => i.message === 'The task has timed out.'));
  });

  it('cancels through an AbortSignal', async () => {
    const abort = new AbortController();
    const result = await run({
      inputs: { scenario: 'sigint' },
      cancel: { signal: abort.signal },
      onLine: (line) => {
        if (line === 'ready') abort.abort();
      },
    });
    assert.equal(result.result, 'Canceled');
  });

  it('stops waiting 5 s after done=true', async () => {
    const started = Date.now();
    const result = await run({ inputs: { scenario: 'done' } });
    const elapsed = Date.now() - started;
    assert.equal(result.result, 'Succeeded');
    assert.equal(result.signal, 'SIGKILL');
    assert.ok(elapsed >= 5_000, `took ${elapsed} ms`);
    assert.ok(elapsed < 8_000, `took ${elapsed} ms`);
  });

  it('streams masked lines to onLine', async () => {
    const lines: string[] = [];
    await run({ ...reportOptions(), onLine: (line) => lines.push(line) });
    assert.ok(lines.includes('secret variable=***'));
    assert.ok(!lines.some((line) => line.includes('registry-pass-9')));
  });
});
