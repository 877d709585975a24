// parseSettings with the dockerfile, buildContext, buildArguments and target inputs, against
// real files in a temporary working directory.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { parseSettings } from '../../../tasks/KanikoBuildV1/src/settings/parse';
import type { RawInputs } from '../../../tasks/KanikoBuildV1/src/settings/raw';
import { rawRun, settingsProblems } from './support/raw-run';
import { useTempDir, writeTree } from './support/temp-dir';

const MULTI_STAGE = [
  'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
  'RUN go build ./...',
  'from alpine:3.20 as Runtime',
  'FROM runtime AS final',
  '',
].join('\n');

describe('settings: build', () => {
  const root = useTempDir();
  const parse = (inputs: Partial<RawInputs>) => parseSettings(rawRun(root(), { inputs })).build;
  const problemsOf = (inputs: Partial<RawInputs>) => settingsProblems(rawRun(root(), { inputs }));

  describe('dockerfile and context', () => {
    beforeEach(() => writeTree(root(), {
      'Dockerfile': 'FROM alpine\n',
      'app/Dockerfile': MULTI_STAGE,
      'app/src/main.go': 'package main\n',
      'services/api/Dockerfile': 'FROM alpine\n',
      'services/worker/Dockerfile': 'FROM alpine\n',
      'services/worker/docker/Dockerfile.prod': 'FROM alpine\n',
      'other/Dockerfile': 'FROM alpine\n',
    }));

    const accepted = [
      { name: 'plain path', inputs: { dockerfile: 'app/Dockerfile' }, context: 'app', dockerfile: 'Dockerfile' },
      { name: 'path with ./', inputs: { dockerfile: './app/Dockerfile' }, context: 'app', dockerfile: 'Dockerfile' },
      { name: 'glob with one match', inputs: { dockerfile: '**/Dockerfile.prod' }, context: 'services/worker/docker', dockerfile: 'Dockerfile.prod' },
      { name: 'glob in a folder', inputs: { dockerfile: 'services/api/*' }, context: 'services/api', dockerfile: 'Dockerfile' },
      {
        name: 'explicit context',
        inputs: { dockerfile: 'services/worker/docker/Dockerfile.prod', buildContext: 'services/worker' },
        context: 'services/worker',
        dockerfile: 'docker/Dockerfile.prod',
      },
      { name: 'context is the root', inputs: { dockerfile: 'app/Dockerfile', buildContext: '.' }, context: '', dockerfile: 'app/Dockerfile' },
    ];
    for (const { name, inputs, context, dockerfile } of accepted) {
      it(`dockerfile accepted: ${name}`, () => {
        const build = parse(inputs);

        assert.equal(build.contextDir, path.join(root(), context));
        assert.equal(build.dockerfile, dockerfile);
      });
    }

    it('absolute dockerfile path is accepted', () => {
      const build = parse({ dockerfile: path.join(root(), 'app', 'Dockerfile') });

      assert.equal(build.contextDir, path.join(root(), 'app'));
      assert.equal(build.dockerfile, 'Dockerfile');
    });

    it('glob with several matches lists them', () => {
      const problems = problemsOf({ dockerfile: 'services/*/Dockerfile' });

      assert.equal(problems.length, 1);
      assert.match(problems[0], /^Input dockerfile: 'services\/\*\/Dockerfile' matches 2 files/);
      assert.ok(problems[0].includes(path.join('services', 'api', 'Dockerfile')), problems[0]);
      assert.ok(problems[0].includes(path.join('services', 'worker', 'Dockerfile')), problems[0]);
    });

    it('glob matching many files lists five', () => {
      const problems = problemsOf({ dockerfile: '**/Dockerfile*' });

      assert.equal(problems.length, 1);
      assert.match(problems[0], /matches 6 files/);
      const listed = /files \((.*)\)\./.exec(problems[0])?.[1].split(', ') ?? [];
      assert.equal(listed.length, 5, problems[0]);
    });

    const rejected = [
      { name: 'empty', inputs: { dockerfile: '' }, pattern: /^Input dockerfile: it is empty/ },
      { name: 'missing file', inputs: { dockerfile: 'nowhere/Dockerfile' }, pattern: /^Input dockerfile: no file matches 'nowhere\/Dockerfile'/ },
      { name: 'glob without match', inputs: { dockerfile: '**/Containerfile' }, pattern: /^Input dockerfile: no file matches/ },
      { name: 'folder', inputs: { dockerfile: 'app' }, pattern: /^Input dockerfile: \S*\/app is a folder/ },
      {
        name: 'outside the context',
        inputs: { dockerfile: 'other/Dockerfile', buildContext: 'app' },
        pattern: /^Input dockerfile: .*other.Dockerfile is outside the build context .*app/,
      },
      { name: 'context missing', inputs: { dockerfile: 'app/Dockerfile', buildContext: 'gone' }, pattern: /^Input buildContext: 'gone' is not a folder/ },
      { name: 'context is a file', inputs: { dockerfile: 'app/Dockerfile', buildContext: 'Dockerfile' }, pattern: /^Input buildContext:/ },
    ];
    for (const { name, inputs, pattern } of rejected) {
      it(`dockerfile rejected: ${name}`, () => {
        const problems = problemsOf(inputs);

        assert.equal(problems.length, 1, problems.join('\n'));
        assert.match(problems[0], pattern);
      });
    }

    it('dockerfile in a folder named ..docker is inside', () => {
      writeTree(root(), { 'ctx/..docker/Dockerfile': 'FROM alpine\n' });
      const build = parse({ dockerfile: 'ctx/..docker/Dockerfile', buildContext: 'ctx' });

      assert.equal(build.dockerfile, '..docker/Dockerfile');
    });
  });

  describe('build arguments', () => {
    beforeEach(() => writeTree(root(), { Dockerfile: 'FROM alpine\n' }));

    const accepted = [
      { name: 'empty', input: '', expected: [] },
      { name: 'one', input: 'VERSION=1.2', expected: [{ name: 'VERSION', value: '1.2' }] },
      {
        name: 'several with comments and blanks',
        input: '# versions\nVERSION=1.2\n\n  # not=an-argument\n_PRIVATE_1=x\r\nEMPTY=\n',
        expected: [{ name: 'VERSION', value: '1.2' }, { name: '_PRIVATE_1', value: 'x' }, { name: 'EMPTY', value: '' }],
      },
      { name: 'value with = and spaces', input: 'OPTS=a=b c  d', expected: [{ name: 'OPTS', value: 'a=b c  d' }] },
      { name: 'value with #', input: 'COLOR=#ff0000', expected: [{ name: 'COLOR', value: '#ff0000' }] },
      { name: 'spaces around the name', input: '  NAME =value', expected: [{ name: 'NAME', value: 'value' }] },
    ];
    for (const { name, input, expected } of accepted) {
      it(`build arguments accepted: ${name}`, () => {
        assert.deepEqual(parse({ buildArguments: input }).buildArguments, expected);
      });
    }

    it('every invalid line is reported', () => {
      const problems = problemsOf({ buildArguments: 'GOOD=1\nNO_EQUALS\n1BAD=x\nBAD-NAME=y\n=novalue\nsp ace=z' });

      assert.equal(problems.length, 5, problems.join('\n'));
      const names = ['NO_EQUALS', '1BAD', 'BAD-NAME', '', 'sp ace'];
      for (const [index, name] of names.entries()) {
        assert.ok(problems[index].startsWith(`Input buildArguments: the line for '${name}' is not NAME=VALUE`), problems[index]);
      }
    });

    it('invalid argument hides its value', () => {
      const problems = problemsOf({ buildArguments: 'BAD-NAME=secret-value-0005' });

      assert.equal(problems.length, 1);
      assert.ok(!problems[0].includes('secret-value-0005'), problems[0]);
    });

    it('argument and dockerfile problems are both reported', () => {
      const problems = problemsOf({ buildArguments: 'NOPE', dockerfile: 'missing/Dockerfile' });

      assert.equal(problems.length, 2, problems.join('\n'));
      assert.ok(problems.some((problem) => problem.startsWith('Input buildArguments:')));
      assert.ok(problems.some((problem) => problem.startsWith('Input dockerfile:')));
    });
  });

  describe('target', () => {
    beforeEach(() => writeTree(root(), { Dockerfile: MULTI_STAGE }));

    it('no target builds the last stage', () => {
      assert.equal(parse({ target: '' }).target, undefined);
    });

    for (const target of ['build', 'runtime', 'Runtime', 'FINAL']) {
      it(`target ${target} is found`, () => {
        assert.equal(parse({ target }).target, target);
      });
    }

    it('missing target lists the stages', () => {
      const problems = problemsOf({ target: 'test' });

      assert.equal(problems.length, 1);
      assert.match(problems[0], /^Input target: the Dockerfile has no stage named 'test' \(stages: build, runtime, final\)/);
    });

    it('target of a single-stage Dockerfile', () => {
      writeTree(root(), { Dockerfile: 'FROM alpine\nRUN echo AS build\n' });
      const problems = problemsOf({ target: 'build' });

      assert.equal(problems.length, 1);
      assert.match(problems[0], /\(stages: \(none\)\)/);
    });

    for (const target of ['1st', 'with space', 'build;rm', '-x']) {
      it(`invalid target '${target}' is rejected`, () => {
        const problems = problemsOf({ target });

        assert.equal(problems.length, 1);
        assert.ok(problems[0].startsWith(`Input target: '${target}' is not a valid stage name`), problems[0]);
      });
    }
  });
});
