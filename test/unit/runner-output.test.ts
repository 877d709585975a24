import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decideResult, type ProcessEnd } from '../../tools/runner/outcome';
import { matchesPattern, OutputProcessor } from '../../tools/runner/output-processor';
import { SecretMasker } from '../../tools/runner/secret-masker';
import { mergeResults, parseResultName, StepContext } from '../../tools/runner/step-context';
import type { TaskRestrictions } from '../../tools/runner/task-definition';

const ANY: TaskRestrictions = { commandMode: 'any' };

function processLines(
  lines: string[], options: { debug?: boolean; restrictions?: TaskRestrictions; workerDirectory?: string } = {},
): StepContext {
  const step = new StepContext(options.debug ?? false, undefined, options.workerDirectory);
  const processor = new OutputProcessor(step, options.restrictions ?? ANY);
  for (const line of lines) processor.processLine(line, 'stdout');
  return step;
}

const EXITED_0: ProcessEnd = { exitCode: 0, signal: null, canceled: false, timedOut: false, forceCompleted: false };

describe('runner output processing', () => {
  it('keeps commands out of the log', () => {
    const step = processLines(['hello', '##vso[task.debug]hidden', '##vso[task.setvariable variable=a]1', 'bye']);
    assert.deepEqual(step.log, ['hello', 'bye']);
    assert.equal(step.commands.length, 2);
  });

  it('shows debug lines only with system.debug', () => {
    const step = processLines(['##vso[task.debug]details'], { debug: true });
    assert.deepEqual(step.log, ['##[debug]details']);
  });

  it('records set variables with their flags', () => {
    const step = processLines([
      '##vso[task.setvariable variable=digest;isOutput=true;]sha256:1',
      '##vso[task.setvariable variable=plain;isOutput=yes]x',
      '##vso[task.setvariable variable=ro;isreadonly=TRUE]y',
    ]);
    assert.deepEqual(step.variables.digest, { value: 'sha256:1', isSecret: false, isOutput: true, isReadOnly: false });
    assert.equal(step.variables.plain.isOutput, false, 'only "true" counts, as in .NET Boolean.TryParse');
    assert.equal(step.variables.ro.isReadOnly, true);
  });

  it('masks secret variables and setsecret values afterwards', () => {
    const step = processLines([
      'before s3cret-one',
      '##vso[task.setvariable variable=key;issecret=true]s3cret-one',
      'after s3cret-one',
      '##vso[task.setsecret]p@ss;word',
      'pass p@ss;word and url https://user:hunter22@example.invalid/x',
    ]);
    assert.deepEqual(step.log, ['before s3cret-one', 'after ***', 'pass *** and url https://user:***@example.invalid/x']);
    assert.deepEqual(step.secrets, ['s3cret-one', 'p@ss;word']);
    assert.equal(step.variables.key.isSecret, true);
  });

  it('fails the step on a multi-line secret', () => {
    const step = processLines(['##vso[task.setvariable variable=k;issecret=true]line1%0Aline2']);
    assert.equal(step.commandResult, 'Failed');
    assert.equal(step.variables.k, undefined);
  });

  it('merges task.complete results', () => {
    const step = processLines([
      '##vso[task.complete result=SucceededWithIssues;]warn',
      '##vso[task.complete result=Succeeded;]ok',
    ]);
    assert.equal(step.result, 'SucceededWithIssues');
    assert.equal(step.commandResult, undefined);
  });

  it('fails the step on an invalid result', () => {
    for (const result of ['failed', 'Bogus', '']) {
      const step = processLines([`##vso[task.complete result=${result};]x`]);
      assert.equal(step.commandResult, 'Failed', result);
      assert.equal(step.issues[0]?.type, 'error', result);
    }
  });

  it('records issues as ##[error] and ##[warning] lines', () => {
    const step = processLines([
      '##vso[task.logissue type=error;source=TaskInternal]Pod kaniko-1 failed',
      '##vso[task.issue type=Warning]slow',
    ]);
    assert.deepEqual(step.issues, [
      { type: 'error', message: 'Pod kaniko-1 failed', properties: { source: 'TaskInternal' } },
      { type: 'warning', message: 'slow', properties: {} },
    ]);
    assert.deepEqual(step.log, ['##[error]Pod kaniko-1 failed', '##[warning]slow']);
  });

  it('fails the step on an unknown issue type', () => {
    const step = processLines(['##vso[task.logissue type=info]x']);
    assert.equal(step.commandResult, 'Failed');
  });

  it('fails the step on an unknown task event', () => {
    const step = processLines(['##vso[task.setvar variable=a]1']);
    assert.equal(step.commandResult, 'Failed');
    assert.match(step.issues[0].message, /setvar/);
  });

  it('warns about an unknown area', () => {
    const step = processLines(['##vso[nosuch.thing]x']);
    assert.equal(step.commandResult, undefined);
    assert.equal(step.issues[0].type, 'warning');
  });

  it('warns about a line that only looks like a command', () => {
    const step = processLines(['echo ##vso[broken']);
    assert.equal(step.issues[0].type, 'warning');
    assert.equal(step.log[step.log.length - 1], 'echo ##vso[broken');
  });

  it('tracks ##[group] sections', () => {
    const step = processLines(['##[group]Upload', 'a', 'b', '##[endgroup]', 'outside', '##[group]Build', 'c']);
    assert.deepEqual(step.groups, [
      { name: 'Upload', lines: ['a', 'b'], closed: true },
      { name: 'Build', lines: ['c'], closed: false },
    ]);
  });

  it('blocks commands in restricted mode', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runner-summary-'));
    try {
      const summary = join(dir, 'summary.md');
      writeFileSync(summary, '# Build');
      const step = processLines(
        [`##vso[task.uploadsummary]${summary}`, '##vso[task.setvariable variable=a]1'],
        { restrictions: { commandMode: 'restricted' } },
      );
      assert.deepEqual(step.attachments, []);
      assert.equal(step.variables.a.value, '1');
      assert.equal(step.issues[0].type, 'warning');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('limits settable variables', () => {
    const step = processLines(
      ['##vso[task.setvariable variable=imageDigest]d', '##vso[task.setvariable variable=PATH]x',
        '##vso[task.setvariable variable=token;issecret=true]tok-123456'],
      { restrictions: { commandMode: 'any', settableVariables: ['image*'] } },
    );
    assert.deepEqual(Object.keys(step.variables), ['imageDigest']);
    assert.equal(step.issues.length, 2);
    assert.equal(step.mask('tok-123456'), '***', 'a blocked secret value stays masked');
  });

  it('matches settable variable patterns', () => {
    assert.equal(matchesPattern('imageDigest', 'IMAGE*'), true);
    assert.equal(matchesPattern('image.name', 'image?name'), true);
    assert.equal(matchesPattern('xImage', 'image*'), false);
    assert.equal(matchesPattern('a+b', 'a+b'), true);
  });

  it('rejects a summary file that does not exist', () => {
    const step = processLines(['##vso[task.uploadsummary]/nonexistent/summary.md']);
    assert.equal(step.commandResult, 'Failed');
  });
});

describe('runner attachments', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'runner-attachments-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('attaches a summary under its file name', () => {
    const summary = join(dir, 'Build web.md');
    writeFileSync(summary, '# Build');
    const step = processLines([`##vso[task.uploadsummary]${summary}`]);
    assert.equal(step.commandResult, undefined);
    assert.deepEqual(step.attachments, [{ type: 'DistributedTask.Core.Summary', name: 'Build web.md', path: summary }]);
  });

  it('rejects an empty summary path', () => {
    const step = processLines(['##vso[task.uploadsummary]']);
    assert.equal(step.commandResult, 'Failed');
    assert.match(step.issues[0].message, /task\.uploadsummary/);
    assert.deepEqual(step.attachments, []);
  });

  it('rejects a folder as summary', () => {
    const step = processLines([`##vso[task.uploadsummary]${dir}`]);
    assert.equal(step.commandResult, 'Failed');
    assert.deepEqual(step.attachments, []);
  });

  it('rejects a path that ends with a slash', () => {
    const step = processLines([`##vso[task.uploadsummary]${dir}/`]);
    assert.equal(step.commandResult, 'Failed');
    assert.match(step.issues.map((issue) => issue.message).join('\n'), /name is missing/);
  });

  it('resolves a relative path in the worker folder', () => {
    writeFileSync(join(dir, 'summary.md'), '# Build');
    const fromWorker = processLines(['##vso[task.uploadsummary]summary.md'], { workerDirectory: dir });
    assert.deepEqual(fromWorker.attachments.map((attachment) => attachment.path), [join(dir, 'summary.md')]);
    const elsewhere = processLines(['##vso[task.uploadsummary]summary.md'], { workerDirectory: join(dir, 'bin') });
    assert.equal(elsewhere.commandResult, 'Failed');
  });

  it('checks addattachment type and name', () => {
    const file = join(dir, 'report.md');
    writeFileSync(file, 'x');
    const step = processLines([
      `##vso[task.addattachment type=Distributedtask.Core.Summary;name=Report]${file}`,
      `##vso[task.addattachment name=Report]${file}`,
      `##vso[task.addattachment type=a/b;name=Report]${file}`,
    ]);
    assert.deepEqual(step.attachments, [{ type: 'Distributedtask.Core.Summary', name: 'Report', path: file }]);
    assert.equal(step.issues.filter((issue) => issue.type === 'error').length, 2);
  });
});

describe('runner result decision', () => {
  const cases: Array<{ name: string; lines: string[]; end: Partial<ProcessEnd>; expected: string }> = [
    { name: 'exit 0 without complete', lines: [], end: {}, expected: 'Succeeded' },
    { name: 'exit 1 without complete', lines: [], end: { exitCode: 1 }, expected: 'Failed' },
    { name: 'exit 1 after Succeeded', lines: ['##vso[task.complete result=Succeeded]'], end: { exitCode: 1 }, expected: 'Failed' },
    { name: 'killed by a signal', lines: [], end: { exitCode: null, signal: 'SIGKILL' }, expected: 'Failed' },
    { name: 'complete Failed, exit 0', lines: ['##vso[task.complete result=Failed]'], end: {}, expected: 'Failed' },
    { name: 'with issues', lines: ['##vso[task.complete result=SucceededWithIssues]'], end: {}, expected: 'SucceededWithIssues' },
    { name: 'canceled', lines: ['##vso[task.complete result=Succeeded]'], end: { canceled: true, exitCode: 0 }, expected: 'Canceled' },
    { name: 'canceled with a bad command', lines: ['##vso[task.nosuch]'], end: { canceled: true }, expected: 'Canceled' },
    { name: 'timed out', lines: [], end: { timedOut: true, exitCode: null, signal: 'SIGINT' }, expected: 'Failed' },
    { name: 'bad command, exit 0', lines: ['##vso[task.nosuch]'], end: {}, expected: 'Failed' },
    { name: 'forced complete', lines: ['##vso[task.complete result=Succeeded;done=true]'], end: { forceCompleted: true, exitCode: null, signal: 'SIGKILL' }, expected: 'Succeeded' },
    { name: 'skipped', lines: ['##vso[task.complete result=Skipped]'], end: {}, expected: 'Skipped' },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const step = processLines(testCase.lines);
      assert.equal(decideResult(step, { ...EXITED_0, ...testCase.end }, 'index.js'), testCase.expected);
    });
  }

  it('logs why the process failed', () => {
    const step = processLines([]);
    decideResult(step, { ...EXITED_0, exitCode: 3 }, '/t/index.js');
    assert.deepEqual(step.issues.map((i) => i.message), ['The task process /t/index.js ended with exit code 3.']);
  });

  it('merges like the agent', () => {
    assert.equal(mergeResults(undefined, 'Succeeded'), 'Succeeded');
    assert.equal(mergeResults('SucceededWithIssues', 'Succeeded'), 'SucceededWithIssues');
    assert.equal(mergeResults('Succeeded', 'Failed'), 'Failed');
    assert.equal(mergeResults('Canceled', 'Failed'), 'Canceled');
    assert.equal(mergeResults('Failed', 'Canceled'), 'Canceled');
  });

  it('parses result names like Enum.TryParse', () => {
    assert.equal(parseResultName('Failed'), 'Failed');
    assert.equal(parseResultName('2'), 'Failed');
    assert.equal(parseResultName('failed'), undefined);
  });
});

describe('runner secret masker', () => {
  it('masks encodings and overlapping values', () => {
    const masker = new SecretMasker();
    masker.add('a"b c');
    masker.add('secret');
    masker.add('cretive');
    assert.equal(masker.mask('json "a\\"b c" uri a%22b%20c'), 'json "***" uri ***');
    assert.equal(masker.mask('secretive!'), '***!');
    assert.equal(masker.mask('nothing here'), 'nothing here');
  });

  it('ignores empty values', () => {
    const masker = new SecretMasker();
    masker.add('');
    assert.equal(masker.mask('abc'), 'abc');
  });
});
