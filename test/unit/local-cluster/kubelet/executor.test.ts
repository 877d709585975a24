import assert from 'node:assert/strict';
import { runExecutor, type ExecutorResult } from '../../../../tools/local-cluster/kubelet/executor/run';
import { makeContextArchive } from './helpers';

const IMAGE = 'ghcr.io/osscontainertools/kaniko:v1.28.3';
const DESTINATION = 'myreg.azurecr.io/team/app:1';
const FIXED_TIME = new Date('2026-08-01T12:00:00Z');

interface Run {
  result: ExecutorResult;
  lines: string[];
}

async function runWith(options: {
  files?: Record<string, string>;
  args?: string[];
  image?: string;
  credentials?: boolean;
  env?: Record<string, string>;
  registryCredentials?: Record<string, { username: string; password: string }>;
}): Promise<Run> {
  const mounted = new Map<string, Buffer>();
  if (options.files) mounted.set('/context/context.tar.gz', await makeContextArchive(options.files));
  if (options.credentials !== false) {
    const auth = Buffer.from('builder:secret').toString('base64');
    mounted.set('/kaniko/.docker/config.json', Buffer.from(JSON.stringify({ auths: { 'myreg.azurecr.io': { auth } } })));
  }
  const lines: string[] = [];
  const result = await runExecutor({
    image: options.image ?? IMAGE,
    args: options.args ?? [
      '--context=tar:///context/context.tar.gz', `--destination=${DESTINATION}`, '--log-format=text',
      '--digest-file=/dev/termination-log',
    ],
    env: options.env ?? {},
    registryCredentials: options.registryCredentials,
    mountedFiles: mounted,
    resolveBlobService: () => undefined,
    stepDelayMs: 0,
    signal: new AbortController().signal,
    writeLine: (line) => lines.push(line),
    now: () => FIXED_TIME,
  });
  return { result, lines };
}

const APP = {
  'Dockerfile': 'FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py .\nRUN echo "built $GREETING"\n',
  'app.py': 'print("hi")\n',
};

describe('executor emulation', () => {
  it('writes the digest after a push', async () => {
    const { result, lines } = await runWith({ files: APP });
    assert.equal(result.exitCode, 0);
    assert.match(result.digest ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(result.writtenFiles.get('/dev/termination-log')?.toString(), result.digest);
    assert.deepEqual(result.contextFiles, ['Dockerfile', 'app.py']);
    assert.ok(lines.includes('time="2026-08-01T12:00:00Z" level=info msg="Retrieving image manifest python:3.12-slim"'));
    assert.ok(lines.includes('time="2026-08-01T12:00:00Z" level=info msg="RUN echo \\"built $GREETING\\""'));
    assert.ok(lines.includes('built '), 'RUN echo prints its words');
    assert.ok(lines.includes(`time="2026-08-01T12:00:00Z" level=info msg="Pushing image to ${DESTINATION}"`));
    assert.ok(lines.includes(`time="2026-08-01T12:00:00Z" level=info msg="Pushed myreg.azurecr.io/team/app@${result.digest}"`));
  });

  it('fails to pull a base image without credentials', async () => {
    const files = { ...APP, Dockerfile: 'FROM base.azurecr.io/python:3.12\nCOPY app.py .\n' };
    const { result, lines } = await runWith({ files, registryCredentials: { 'base.azurecr.io': { username: 'puller', password: 'p' } } });

    assert.equal(result.exitCode, 1);
    assert.equal(result.digest, undefined);
    assert.ok(lines.includes('time="2026-08-01T12:00:00Z" level=info msg="Retrieving image manifest base.azurecr.io/python:3.12"'));
    assert.equal(lines.at(-1),
      'error building image: GET https://base.azurecr.io/oauth2/token?scope=repository%3Apython%3Apull&service=base.azurecr.io: UNAUTHORIZED: authentication required');
  });

  it('derives digests from the input', async () => {
    const first = await runWith({ files: APP });
    const second = await runWith({ files: APP });
    const changed = await runWith({ files: { ...APP, 'app.py': 'print("bye")\n' } });
    assert.equal(first.result.digest, second.result.digest);
    assert.notEqual(first.result.digest, changed.result.digest);
  });

  it('passes a failing RUN exit code through', async () => {
    const { result, lines } = await runWith({ files: { Dockerfile: 'FROM alpine:3.20\nRUN echo before && exit 3\n' } });
    assert.equal(result.exitCode, 3);
    assert.ok(lines.includes('before'));
    assert.equal(lines.at(-1), 'error building image: error building stage: failed to execute command: waiting for process to exit: exit status 3');
    assert.equal(result.writtenFiles.size, 0, 'no digest is written for a failed build');
  });

  it('exits 1 when a RUN step runs false', async () => {
    const { result } = await runWith({ files: { Dockerfile: 'FROM alpine:3.20\nRUN false\n' } });
    assert.equal(result.exitCode, 1);
  });

  it('fails like cobra on an unknown flag', async () => {
    const { result, lines } = await runWith({ args: ['--context=tar:///x', '--frobnicate'] });
    assert.equal(result.exitCode, 1);
    assert.equal(lines[0], 'Error: unknown flag: --frobnicate');
    assert.equal(lines[1], 'Usage:');
  });

  it('requires a destination unless --no-push', async () => {
    const { result, lines } = await runWith({ args: ['--context=tar:///context/context.tar.gz'] });
    assert.equal(result.exitCode, 1);
    assert.equal(lines[0], 'Error: you must provide --destination, or use --no-push');
  });

  it('builds without pushing with --no-push', async () => {
    const { result, lines } = await runWith({
      files: APP,
      credentials: false,
      args: ['--context=tar:///context/context.tar.gz', '--no-push', '--log-format=text'],
    });
    assert.equal(result.exitCode, 0);
    assert.ok(lines.at(-1)?.endsWith('msg="Skipping push to container registry due to --no-push flag"'));
  });

  it('fails on a context that is not gzip', async () => {
    const lines: string[] = [];
    const result = await runExecutor({
      image: IMAGE,
      args: ['--context=tar:///ctx.tgz', '--no-push'],
      env: {},
      mountedFiles: new Map([['/ctx.tgz', Buffer.from('definitely not gzip data')]]),
      resolveBlobService: () => undefined,
      stepDelayMs: 0,
      signal: new AbortController().signal,
      writeLine: (line) => lines.push(line),
    });
    assert.equal(result.exitCode, 1);
    assert.equal(lines[0], 'Error: error resolving source context: gzip: invalid header');
  });

  it('fails when the Dockerfile is missing', async () => {
    const { result, lines } = await runWith({ files: { 'app.py': 'x' } });
    assert.equal(result.exitCode, 1);
    assert.equal(lines[0], 'Error: error resolving dockerfile path: please provide a valid path to a Dockerfile within the build context with --dockerfile');
    assert.deepEqual(result.contextFiles, ['app.py']);
  });

  it('finds --dockerfile inside the context', async () => {
    const { result } = await runWith({
      files: { 'docker/build.Dockerfile': 'FROM alpine:3.20\n' },
      args: ['--context=tar:///context/context.tar.gz', '--dockerfile=docker/build.Dockerfile', '--no-push'],
    });
    assert.equal(result.exitCode, 0);
  });

  it('fails COPY of an ignored file', async () => {
    const { result, lines } = await runWith({ files: { ...APP, '.dockerignore': '*.py\n' } });
    assert.equal(result.exitCode, 1);
    assert.ok(lines.some((line) => line.includes('msg="Using dockerignore file: /kaniko/buildcontext/.dockerignore"')));
    assert.equal(
      lines.at(-1),
      'error building image: error building stage: failed to execute command: resolving src: failed to get fileinfo for /kaniko/buildcontext/app.py: lstat /kaniko/buildcontext/app.py: no such file or directory',
    );
  });

  it('fails COPY of a missing file', async () => {
    const { result } = await runWith({ files: { Dockerfile: APP.Dockerfile } });
    assert.equal(result.exitCode, 1);
  });

  it('splits the push-check message from v1.26.2', async () => {
    const { result, lines } = await runWith({ files: APP, credentials: false });
    assert.equal(result.exitCode, 1);
    assert.ok(lines.some((line) => line.includes('level=warning msg="make sure you entered the correct tag name')));
    assert.match(lines.at(-1) ?? '', /^error checking push permissions: checking push permission for "myreg\.azurecr\.io\/team\/app:1": .*UNAUTHORIZED/);
  });

  it('keeps Google\'s single push-check message', async () => {
    const { result, lines } = await runWith({ files: APP, credentials: false, image: 'gcr.io/kaniko-project/executor:v1.23.2' });
    assert.equal(result.exitCode, 1);
    assert.match(
      lines.at(-1) ?? '',
      /^error checking push permissions -- make sure you entered the correct tag name, and that you are authenticated correctly, and try again: checking push permission for /,
    );
  });

  it('rejects an invalid log format and level', async () => {
    const format = await runWith({ args: ['--log-format=fancy'] });
    assert.equal(format.lines[0], 'Error: not a valid log format: "fancy". Please specify one of (text, color, json)');
    const level = await runWith({ args: ['--verbosity=loud'] });
    assert.equal(level.lines[0], 'Error: parsing log level: not a valid logrus Level: "loud"');
  });

  it('writes color and JSON formats', async () => {
    const color = await runWith({ files: APP, args: ['--context=tar:///context/context.tar.gz', '--no-push'] });
    assert.ok(color.lines.includes(`\x1b[36mINFO\x1b[0m[0000] ${'Skipping push to container registry due to --no-push flag'.padEnd(44)} `));
    const json = await runWith({ files: APP, args: ['--context=tar:///context/context.tar.gz', '--no-push', '--log-format=json'] });
    assert.equal(json.lines.at(-1), '{"level":"info","msg":"Skipping push to container registry due to --no-push flag","time":"2026-08-01T12:00:00Z"}');
  });

  it('hides info lines at --verbosity=warn', async () => {
    const { result, lines } = await runWith({ files: APP, args: ['--context=tar:///context/context.tar.gz', '--no-push', '--verbosity=warn'] });
    assert.equal(result.exitCode, 0);
    assert.deepEqual(lines, ['built ']);
  });

  it('substitutes a bare --build-arg from the environment', async () => {
    const { lines } = await runWith({
      files: { Dockerfile: 'FROM alpine:3.20\nARG TOKEN\nRUN echo "token=$TOKEN"\n' },
      args: ['--context=tar:///context/context.tar.gz', '--no-push', '--build-arg', 'TOKEN'],
      env: { TOKEN: 'from-secret' },
    });
    assert.ok(lines.includes('token=from-secret'));
  });

  it('rejects a label without a value', async () => {
    const { result, lines } = await runWith({ files: APP, args: ['--context=tar:///context/context.tar.gz', '--no-push', '--label=team'] });
    assert.equal(result.exitCode, 1);
    assert.equal(lines.at(-1), 'error building image: labels must be of the form key=value, got team');
  });

  it('rejects an unknown --target', async () => {
    const { result, lines } = await runWith({ files: APP, args: ['--context=tar:///context/context.tar.gz', '--no-push', '--target=release'] });
    assert.equal(result.exitCode, 1);
    assert.equal(lines.at(-1), 'error building image: error finding target stage: "release" is not a valid target build stage');
  });

  it('prints the version for the version command', async () => {
    const { result, lines } = await runWith({ args: ['version'] });
    assert.equal(result.exitCode, 0);
    assert.deepEqual(lines, ['Kaniko version :  v1.28.3']);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    const run = runExecutor({
      image: IMAGE,
      args: ['--context=tar:///ctx.tgz', '--no-push'],
      env: {},
      mountedFiles: new Map([['/ctx.tgz', await makeContextArchive(APP)]]),
      resolveBlobService: () => undefined,
      stepDelayMs: 50,
      signal: controller.signal,
      writeLine: () => undefined,
    });
    setTimeout(() => controller.abort(new Error('stopped by test')), 20);
    await assert.rejects(run, /stopped by test|aborted/);
  });
});
