import assert from 'node:assert/strict';
import { EXECUTOR_BASE_MEMORY_BYTES, runExecutor, type ExecutorResult } from '../../../../tools/local-cluster/kubelet/executor/run';
import { type ContainerUsage, OutOfMemoryKill } from '../../../../tools/local-cluster/kubelet/resource-usage';
import { makeContextArchive } from './helpers';

const MIB = 1024 * 1024;

/** Records what the executor reports, and kills it past `memoryLimit` as the kernel would. */
class RecordingUsage implements ContainerUsage {
  layerBytes = 0;
  logBytes = 0;
  memoryBytes = 0;
  readonly memoryAdds: number[] = [];

  constructor(private readonly memoryLimit = Number.POSITIVE_INFINITY) {}

  addWritableLayerBytes(bytes: number): void {
    this.layerBytes += bytes;
  }

  addLogBytes(bytes: number): void {
    this.logBytes += bytes;
  }

  addMemoryBytes(bytes: number): void {
    this.memoryAdds.push(bytes);
    this.memoryBytes += bytes;
    if (this.memoryBytes > this.memoryLimit) throw new OutOfMemoryKill(this.memoryBytes, this.memoryLimit);
  }
}

async function build(files: Record<string, string>, usage: ContainerUsage, sleepScale = 1): Promise<{ result: ExecutorResult; lines: string[] }> {
  const lines: string[] = [];
  const result = await runExecutor({
    image: 'ghcr.io/osscontainertools/kaniko:v1.28.3',
    args: ['--context=tar:///context/context.tar.gz', '--no-push', '--log-format=text'],
    env: {},
    mountedFiles: new Map([['/context/context.tar.gz', await makeContextArchive(files)]]),
    resolveBlobService: () => undefined,
    stepDelayMs: 0,
    sleepScale,
    usage,
    signal: new AbortController().signal,
    writeLine: (line) => lines.push(line),
  });
  return { result, lines };
}

describe('executor resource use', () => {
  it('reports memory, layer and log bytes', async () => {
    const usage = new RecordingUsage();
    const dockerfile = 'FROM alpine:3.20\nRUN head -c 1M /dev/zero > /one && head -c 2K /dev/zero\n';
    const { result } = await build({ Dockerfile: dockerfile, 'data.txt': 'x'.repeat(1000) }, usage);
    assert.equal(result.exitCode, 0);
    assert.equal(usage.memoryAdds[0], EXECUTOR_BASE_MEMORY_BYTES);
    assert.equal(usage.memoryBytes, EXECUTOR_BASE_MEMORY_BYTES + MIB);
    assert.equal(usage.layerBytes, Buffer.byteLength(dockerfile) + 1000 + MIB);
    assert.equal(usage.logBytes, 2048);
  });

  it('ends with 137 when killed for memory', async () => {
    const usage = new RecordingUsage(100 * MIB);
    const { result, lines } = await build({ Dockerfile: 'FROM alpine:3.20\nRUN echo start; dd if=/dev/zero of=/big bs=1M count=64; echo end\n' }, usage);
    assert.equal(result.exitCode, 137);
    assert.deepEqual(result.oomKilled, { limitBytes: 100 * MIB });
    assert.equal(result.digest, undefined);
    assert.equal(lines.at(-1), 'start');
    assert.ok(!lines.some((line) => line.includes('error building image')));
  });

  it('scales sleep in RUN steps', async () => {
    const started = Date.now();
    const { result } = await build({ Dockerfile: 'FROM alpine:3.20\nRUN sleep 2\n' }, new RecordingUsage(), 0.1);
    const elapsed = Date.now() - started;
    assert.equal(result.exitCode, 0);
    assert.ok(elapsed >= 190, `built in ${elapsed} ms`);
    assert.ok(elapsed < 2000, `built in ${elapsed} ms`);
  });

  it('stops a sleep when the run is stopped', async () => {
    const controller = new AbortController();
    const run = runExecutor({
      image: 'ghcr.io/osscontainertools/kaniko:v1.28.3',
      args: ['--context=tar:///context/context.tar.gz', '--no-push'],
      env: {},
      mountedFiles: new Map([['/context/context.tar.gz', await makeContextArchive({ Dockerfile: 'FROM alpine:3.20\nRUN sleep infinity\n' })]]),
      resolveBlobService: () => undefined,
      stepDelayMs: 0,
      signal: controller.signal,
      writeLine: () => undefined,
    });
    setTimeout(() => controller.abort(new Error('pod deleted')), 50);
    await assert.rejects(run, /pod deleted/);
  });
});
