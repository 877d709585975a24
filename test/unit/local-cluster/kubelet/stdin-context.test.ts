import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { ContainerFiles } from '../../../../tools/local-cluster/kubelet/executor/container-files';
import { resolveContext, type ContextRequest, type ResolvedContext } from '../../../../tools/local-cluster/kubelet/executor/context';
import { KanikoLogger } from '../../../../tools/local-cluster/kubelet/executor/log';
import { ContainerStdin } from '../../../../tools/local-cluster/kubelet/stdin';
import { makeContextArchive } from './helpers';

interface StdinRun {
  stdin: ContainerStdin;
  lines: string[];
  result: Promise<ResolvedContext>;
}

/** Starts resolving `tar://stdin` from a fresh stdin pipe; `stdin: false` stands for /dev/null. */
function startStdinContext(options: { stdin?: boolean; signal?: AbortSignal } = {}): StdinRun {
  const stdin = new ContainerStdin(true);
  const lines: string[] = [];
  const request: ContextRequest = {
    context: 'tar://stdin',
    contextSubPath: '',
    env: {},
    files: new ContainerFiles(new Map()),
    logger: new KanikoLogger({ format: 'text', level: 'info', fullTimestamps: false, writeLine: (line) => lines.push(line) }),
    resolveBlobService: () => undefined,
    doubleAzureBlobPath: false,
    stdin: options.stdin === false ? undefined : stdin,
    signal: options.signal ?? new AbortController().signal,
  };
  return { stdin, lines, result: resolveContext(request) };
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail('expected the context to be rejected');
}

/** Resolves with `settled` when the promise settles within `ms`, else with `pending`. */
async function stateAfter(promise: Promise<unknown>, ms: number): Promise<'settled' | 'pending'> {
  const timeout = new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms));
  return Promise.race([promise.then(() => 'settled' as const, () => 'settled' as const), timeout]);
}

describe('kaniko tar://stdin context', () => {
  let archive: Buffer;

  before(async () => {
    archive = await makeContextArchive({ Dockerfile: 'FROM alpine:3.20\nCOPY . /app\n', 'src/app.py': 'print(1)\n' });
  });

  it('unpacks an archive that arrives in pieces', async () => {
    const run = startStdinContext();
    for (let offset = 0; offset < archive.length; offset += 7) run.stdin.write(archive.subarray(offset, offset + 7));
    run.stdin.close();
    const context = await run.result;
    assert.deepEqual(context.files, ['Dockerfile', 'src/app.py']);
    assert.equal(context.root, '/kaniko/buildcontext');
    assert.equal(run.lines.length, 1);
    assert.match(run.lines[0], /^time="[^"]+" level=info msg="To simulate EOF and exit, press 'Ctrl\+D'"$/);
  });

  it('goes on at the end of the archive without waiting for EOF', async () => {
    const run = startStdinContext();
    run.stdin.write(archive);
    const context = await run.result;
    assert.deepEqual(context.files, ['Dockerfile', 'src/app.py']);
    assert.equal(run.stdin.isOpen, true, 'the pipe is still open');
  });

  it('waits while the archive is incomplete', async () => {
    const run = startStdinContext();
    run.stdin.write(archive.subarray(0, archive.length - 40));
    assert.equal(await stateAfter(run.result, 100), 'pending');
    run.stdin.write(archive.subarray(archive.length - 40));
    run.stdin.close();
    assert.deepEqual((await run.result).files, ['Dockerfile', 'src/app.py']);
  });

  it('fails as soon as ten bytes that are not gzip arrive', async () => {
    const run = startStdinContext();
    run.stdin.write(Buffer.from('PK\u0003\u0004 zip data'));
    assert.equal(await rejection(run.result), 'gzip: invalid header');
    assert.equal(run.stdin.isOpen, true, 'kaniko failed before the client closed stdin');
  });

  it('fails on empty and short streams', async () => {
    const empty = startStdinContext();
    empty.stdin.close();
    assert.equal(await rejection(empty.result), 'EOF');

    const short = startStdinContext();
    short.stdin.write(archive.subarray(0, 5));
    short.stdin.close();
    assert.equal(await rejection(short.result), 'unexpected EOF');
  });

  it('fails with unexpected EOF when the stream ends inside the archive', async () => {
    const run = startStdinContext();
    run.stdin.write(archive.subarray(0, archive.length - 30));
    run.stdin.close();
    assert.equal(await rejection(run.result), 'unexpected EOF');
  });

  it('fails on gzip data that is not a tar archive', async () => {
    const run = startStdinContext();
    run.stdin.write(gzipSync(Buffer.alloc(1024, 'x')));
    run.stdin.close();
    assert.equal(await rejection(run.result), 'archive/tar: invalid tar header');
  });

  it('refuses a container stdin that is a character device', async () => {
    const run = startStdinContext({ stdin: false });
    assert.equal(await rejection(run.result), "no data found.. don't forget to add the '--interactive, -i' flag");
    assert.deepEqual(run.lines, [], 'kaniko fails before it logs the Ctrl+D hint');
  });

  it('stops waiting when the pod is stopped', async () => {
    const controller = new AbortController();
    const run = startStdinContext({ signal: controller.signal });
    controller.abort(new Error('pod deleted'));
    assert.equal(await rejection(run.result), 'pod deleted');
  });
});
