import assert from 'node:assert/strict';
import { planBuild } from '../../../../tools/local-cluster/kubelet/executor/build-plan';
import { parseDockerfile } from '../../../../tools/local-cluster/kubelet/executor/dockerfile';
import { expandVariables, splitWords } from '../../../../tools/local-cluster/kubelet/executor/shell';
import { runShellScript } from '../../../../tools/local-cluster/kubelet/executor/shell-script';
import { recordingShell } from './shell-helpers';

const MULTI_STAGE = [
  '# syntax=docker/dockerfile:1',
  'ARG PYTHON=3.12',
  'FROM python:${PYTHON}-slim AS Build',
  'WORKDIR /app',
  'COPY requirements.txt .',
  'RUN pip install -r requirements.txt \\',
  '    && echo done',
  '',
  'FROM build AS test',
  'RUN pytest',
  '',
  'FROM gcr.io/distroless/python3',
  'COPY --from=build /app /app',
].join('\n');

function errorOf(text: string): string {
  try {
    parseDockerfile(text);
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail('expected the Dockerfile to be rejected');
}

describe('Dockerfile parsing', () => {
  it('splits stages, meta args and instructions', () => {
    const dockerfile = parseDockerfile(MULTI_STAGE);
    assert.equal(dockerfile.metaArgs.length, 1);
    assert.deepEqual(dockerfile.stages.map((stage) => stage.name), ['build', 'test', '']);
    assert.deepEqual(dockerfile.stages[0].instructions.map((i) => i.keyword), ['WORKDIR', 'COPY', 'RUN']);
  });

  it('joins continuation lines into one instruction', () => {
    const run = parseDockerfile(MULTI_STAGE).stages[0].instructions[2];
    assert.equal(run.code, 'RUN pip install -r requirements.txt     && echo done');
    assert.equal(run.line, 6);
  });

  it('reads instruction flags', () => {
    const copy = parseDockerfile(MULTI_STAGE).stages[2].instructions[0];
    assert.deepEqual(copy.flags, ['--from=build']);
    assert.equal(copy.rest, '/app /app');
  });

  it('honours the escape directive', () => {
    const dockerfile = parseDockerfile('# escape=`\nFROM alpine\nRUN echo a `\n  b\n');
    assert.equal(dockerfile.stages[0].instructions[0].code, 'RUN echo a   b');
  });

  it('rejects an empty file', () => {
    assert.equal(errorOf('# only a comment\n\n'), 'file with no instructions');
  });

  it('rejects an unknown instruction with its line', () => {
    assert.equal(errorOf('FROM alpine\nCOPPY a b\n'), 'dockerfile parse error on line 2: unknown instruction: COPPY');
  });

  it('rejects instructions before FROM', () => {
    assert.equal(errorOf('RUN echo hi\nFROM alpine\n'), 'no build stage in current context');
  });

  it('rejects invalid stage names and FROM arguments', () => {
    assert.equal(
      errorOf('FROM alpine AS 1st\n'),
      'dockerfile parse error on line 1: invalid name for build stage: "1st", name can\'t start with a number or contain symbols',
    );
    assert.equal(errorOf('FROM alpine AS\n'), 'dockerfile parse error on line 1: FROM requires either one or three arguments');
  });

  it('rejects COPY without a destination', () => {
    assert.match(errorOf('FROM alpine\nCOPY app.py\n'), /COPY requires at least two arguments/);
  });
});

describe('build planning', () => {
  const env = { TOKEN: 'from-env' };

  it('substitutes meta args and build args in FROM', () => {
    const plan = planBuild(parseDockerfile(MULTI_STAGE), { buildArgs: ['PYTHON=3.13'], targets: [], skipUnusedStages: false, env });
    assert.equal(plan.stages[0].baseName, 'python:3.13-slim');
    assert.equal(plan.stages[1].baseIndex, 0);
  });

  it('unifies build args with meta args as kaniko does', () => {
    const text = 'ARG BASE=alpine:3.20\nFROM $BASE\nFROM ${OTHER}\n';
    const plan = (buildArgs: string[]) => planBuild(parseDockerfile(text), { buildArgs, targets: [], skipUnusedStages: false, env });

    assert.equal(plan(['BASE=']).stages[0].baseName, 'alpine:3.20');
    assert.equal(plan(['OTHER=debian:12']).stages[1].baseName, 'debian:12');
    assert.equal(plan(['BASE=busybox:1=x']).stages[0].baseName, 'busybox:1');
  });

  it('takes a bare build arg from the environment', () => {
    const plan = planBuild(parseDockerfile(MULTI_STAGE), { buildArgs: ['TOKEN'], targets: [], skipUnusedStages: false, env });
    assert.equal(plan.buildArgs.get('TOKEN'), 'from-env');
  });

  it('skips stages the target does not need', () => {
    const plan = planBuild(parseDockerfile(MULTI_STAGE), { buildArgs: [], targets: [], skipUnusedStages: true, env });
    assert.deepEqual(plan.stages.map((stage) => stage.index), [0, 2]);
    assert.deepEqual([...plan.crossStageDependencies.entries()], [[0, ['/app']]]);
  });

  it('builds every stage up to the target without skipping', () => {
    const plan = planBuild(parseDockerfile(MULTI_STAGE), { buildArgs: [], targets: [], skipUnusedStages: false, env });
    assert.deepEqual(plan.stages.map((stage) => stage.index), [0, 1, 2]);
  });

  it('matches --target case-insensitively and stops there', () => {
    const plan = planBuild(parseDockerfile(MULTI_STAGE), { buildArgs: [], targets: ['TEST'], skipUnusedStages: true, env });
    assert.deepEqual(plan.stages.map((stage) => stage.index), [0, 1]);
  });

  it('rejects a target that names no stage', () => {
    assert.throws(
      () => planBuild(parseDockerfile(MULTI_STAGE), { buildArgs: [], targets: ['release'], skipUnusedStages: true, env }),
      { message: 'error finding target stage: "release" is not a valid target build stage' },
    );
  });

  it('rejects a Dockerfile with only ARGs', () => {
    assert.throws(
      () => planBuild(parseDockerfile('ARG A=1\n'), { buildArgs: [], targets: [], skipUnusedStages: true, env }),
      { message: 'dockerfile must contain at least one FROM instruction' },
    );
  });
});

describe('emulated shell', () => {
  const variables = new Map([['NAME', 'world'], ['EMPTY', '']]);

  it('expands Dockerfile variables with defaults', () => {
    assert.equal(expandVariables('${NAME}-${MISSING:-x}-${EMPTY:-y}-${NAME:+set}-\\$NAME', variables), 'world-x-y-set-$NAME');
  });

  it('splits words with quotes and expansion', () => {
    assert.deepEqual(splitWords(`echo "hello $NAME" 'no $NAME' a\\ b`, variables), ['echo', 'hello world', 'no $NAME', 'a b']);
  });

  it('prints echo output and stops at exit', async () => {
    const result = await runShellScript('echo one && echo "two $NAME"; exit 3; echo never', recordingShell(variables));
    assert.deepEqual(result.output, ['one', 'two world']);
    assert.equal(result.exitCode, 3);
  });

  it('skips after a failed && and runs || alternatives', async () => {
    const result = await runShellScript('false && echo skipped || echo recovered', recordingShell(variables));
    assert.deepEqual(result.output, ['recovered']);
    assert.equal(result.exitCode, 0);
  });

  it('returns the status of a final false', async () => {
    assert.equal((await runShellScript('echo a; false', recordingShell(variables))).exitCode, 1);
  });

  it('keeps separators inside quotes', async () => {
    assert.deepEqual((await runShellScript('echo "a && b; c"', recordingShell(variables))).output, ['a && b; c']);
  });
});
