// One container's life on the emulated node, in the kubelet's order: pull the image, build
// the environment, create and start the container, run its program (the kaniko executor or
// curl emulation), and report how it terminated. While it runs, attach sessions reach its
// stdin and output, and its writes and log lines count toward the pod's resource limits.
import type { V1Container } from '@kubernetes/client-node';
import { AttachableContainer } from './attach';
import { KERNEL_MONITOR, oomKillMessage } from './oom-kill';
import { formatGoDuration, identifyImage, imageEnvironment, pullImage } from './images';
import type { PodContext } from './pod-context';
import { resolveProgram, runProgram, type ProgramResult } from './programs';
import { ContainerStdin } from './stdin';
import { buildEnvironment, expandReferences, mountVolumes } from './volumes-env';

/** Maximum size of a termination message read from the termination log, in bytes (kubelet's limit). */
const MAX_TERMINATION_MESSAGE_BYTES = 4096;
/** FallbackToLogsOnError uses at most this many of the last log lines and bytes (kubelet's limits). */
const FALLBACK_LOG_LINES = 80;
const FALLBACK_LOG_BYTES = 2048;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
/** Exit code the runtime reports for a container that could not start. */
const START_ERROR_EXIT_CODE = 128;

/** Result of a container run: `terminated` after it ran, `stuck` when it could never start. */
export type ContainerOutcome = 'terminated' | 'stuck';

/** Runs the container until it terminates; rejects with the abort reason when the pod is stopped. */
export async function runContainer(context: PodContext, container: V1Container, isRecorded: boolean): Promise<ContainerOutcome> {
  const image = container.image ?? '';
  if (!(await pull(context, container.name, image, container.imagePullPolicy))) return 'stuck';

  const nodeImage = identifyImage(image);
  const containerEnv = await waitForEnvironment(context, container);
  const env = { ...imageEnvironment(nodeImage), HOSTNAME: context.name, ...containerEnv };
  const mounted = mountVolumes(context.pod, container, context.store, context.emptyDirs);
  const files = mounted.ok ? mounted.files : new Map<string, Buffer>();

  context.event('Normal', 'Created', `Created container: ${container.name}`);
  const program = resolveProgram(nodeImage, expandCommand(container, containerEnv));
  if (program.kind === 'missing') {
    const finishedAt = failToStart(context, container.name, program.executable);
    if (isRecorded) {
      context.record.exitCode = START_ERROR_EXIT_CODE;
      context.record.finishedAt = finishedAt;
    }
    return 'terminated';
  }
  context.event('Normal', 'Started', `Started container ${container.name}`);
  const startedAt = new Date();
  context.tracker.setContainer(container.name, { state: 'running', startedAt });
  if (!context.tracker.initContainers.has(container.name)) context.tracker.phase = 'Running';
  context.publish();

  const stdin = container.stdin ? new ContainerStdin(container.stdinOnce ?? false) : undefined;
  const attachable = new AttachableContainer(container.name, stdin, container.tty ?? false);
  context.attachable.set(container.name, attachable);
  const outputLines: string[] = [];
  let result: ProgramResult;
  try {
    result = await runProgram(context, container, program, {
      env,
      mountedFiles: files,
      stdin,
      usage: context.resources.usageOf(container.name),
      writeLine: (line) => {
        outputLines.push(line);
        if (context.signal.aborted) return;
        context.store.appendLog(context.namespace, context.name, container.name, line);
        attachable.emitLine(line);
        context.resources.recordLogLine(container.name, line);
      },
      onContextUnpacked: (contextFiles) => {
        if (isRecorded) context.record.contextFiles = contextFiles;
      },
    });
  } finally {
    context.attachable.delete(container.name);
    attachable.exit();
  }
  terminate(context, container, result, startedAt, outputLines, isRecorded);
  return 'terminated';
}

/** Pulls the image; returns false when the container is left waiting on a failed pull. */
async function pull(context: PodContext, containerName: string, image: string, policy: string | undefined): Promise<boolean> {
  const cached = context.pulledImages.has(image);
  if (cached && policy !== 'Always') {
    context.event('Normal', 'Pulled', `Container image "${image}" already present on machine`);
    return true;
  }
  context.event('Normal', 'Pulling', `Pulling image "${image}"`);
  const started = Date.now();
  await context.pause();
  const result = pullImage(image);
  if (result.ok) {
    context.pulledImages.add(image);
    const took = formatGoDuration(Date.now() - started);
    context.event('Normal', 'Pulled', `Successfully pulled image "${image}" in ${took} (${took} including waiting). Image size: ${result.sizeBytes} bytes.`);
    return true;
  }

  if (result.reason === 'InvalidImageName') {
    context.event('Warning', 'InspectFailed', result.message);
    context.event('Warning', 'Failed', 'Error: InvalidImageName');
    setWaiting(context, containerName, 'InvalidImageName', result.message);
    return false;
  }
  context.event('Warning', 'Failed', `Failed to pull image "${image}": ${result.message}`);
  context.event('Warning', 'Failed', 'Error: ErrImagePull');
  setWaiting(context, containerName, 'ErrImagePull', result.message);
  await context.pause();
  // NOTE: the real kubelet retries the pull with a growing back-off. No image ever appears in
  // the emulated registries, so the container stays in ImagePullBackOff without retries.
  context.event('Normal', 'BackOff', `Back-off pulling image "${image}"`);
  context.event('Warning', 'Failed', 'Error: ImagePullBackOff');
  setWaiting(context, containerName, 'ImagePullBackOff', `Back-off pulling image "${image}"`);
  return false;
}

/**
 * Expands `$(NAME)` in the command and arguments from the container's own variables, as the
 * kubelet does (ExpandContainerCommandAndArgs in pkg/kubelet/container/helpers.go). The image's
 * variables do not count, and an unknown name stays as written.
 */
function expandCommand(container: V1Container, containerEnv: Record<string, string>): V1Container {
  const expand = (values: string[] | undefined): string[] | undefined => values?.map((value) => expandReferences(value, containerEnv));
  return { ...container, command: expand(container.command), args: expand(container.args) };
}

/** Builds the container's own environment, retrying while a Secret or key is missing, as the kubelet's pod sync does. */
async function waitForEnvironment(context: PodContext, container: V1Container): Promise<Record<string, string>> {
  for (let attempt = 0; ; attempt += 1) {
    const result = buildEnvironment(context.pod, container, context.store, context.fields);
    if (result.ok) {
      for (const { secret, keys } of result.skippedKeys) {
        context.event('Warning', 'InvalidEnvironmentVariableNames',
          `Keys [${keys.join(', ')}] from the EnvFrom secret ${secret} were skipped since they are considered invalid environment variable names.`);
      }
      return result.env;
    }
    context.event('Warning', 'Failed', `Error: ${result.message}`);
    setWaiting(context, container.name, 'CreateContainerConfigError', result.message);
    await context.pause(context.retryDelay(attempt));
  }
}

/**
 * Reports a container whose command is neither kaniko's executor nor curl, the only programs
 * the emulation runs, as the runtime reports a missing executable.
 * NOTE: kaniko's debug images and the curl images do contain a shell, which a real cluster would run.
 */
function failToStart(context: PodContext, containerName: string, executable: string): Date {
  const message =
    'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: ' +
    `unable to start container process: exec: "${executable}": executable file not found in $PATH: unknown`;
  context.event('Warning', 'Failed', `Error: ${message}`);
  const now = new Date();
  context.tracker.setContainer(containerName, {
    state: 'terminated', exitCode: START_ERROR_EXIT_CODE, reason: 'StartError', message, startedAt: now, finishedAt: now,
  });
  return now;
}

function setWaiting(context: PodContext, containerName: string, reason: string, message: string): void {
  context.tracker.setContainer(containerName, { state: 'waiting', reason, message });
  context.publish();
}

function terminate(
  context: PodContext,
  container: V1Container,
  result: ProgramResult,
  startedAt: Date,
  outputLines: string[],
  isRecorded: boolean,
): void {
  const message = terminationMessage(container, result, outputLines);
  const finishedAt = new Date();
  if (isRecorded) {
    context.record.exitCode = result.exitCode;
    context.record.finishedAt = finishedAt;
    context.record.contextFiles = result.contextFiles;
    if (message !== undefined && DIGEST.test(message.trim())) context.record.digest = message.trim();
  }
  if (context.signal.aborted) return;
  context.store.endLog(context.namespace, context.name, container.name);
  if (result.oomKilled) reportOomKill(context, container, result.oomKilled.limitBytes);
  context.tracker.setContainer(container.name, {
    state: 'terminated',
    exitCode: result.exitCode,
    reason: result.oomKilled ? 'OOMKilled' : result.exitCode === 0 ? 'Completed' : 'Error',
    message,
    startedAt,
    finishedAt,
  });
}

/** Records the OOMKilling event that node-problem-detector derives from the kernel's log. */
function reportOomKill(context: PodContext, container: V1Container, limitBytes: number): void {
  const message = oomKillMessage(context.pod, container, 'executor', limitBytes, context.options.nodeMemoryBytes);
  context.nodeEvent(KERNEL_MONITOR, 'Warning', 'OOMKilling', message);
}

/** Reads the termination message as the kubelet does: the last 4096 bytes of the termination log. */
function terminationMessage(container: V1Container, result: ProgramResult, outputLines: string[]): string | undefined {
  const path = container.terminationMessagePath ?? '/dev/termination-log';
  const written = result.writtenFiles.get(path);
  if (written && written.length > 0) return written.subarray(Math.max(0, written.length - MAX_TERMINATION_MESSAGE_BYTES)).toString('utf8');
  if (container.terminationMessagePolicy === 'FallbackToLogsOnError' && result.exitCode !== 0) {
    const tail = Buffer.from(outputLines.slice(-FALLBACK_LOG_LINES).join('\n'));
    return tail.subarray(Math.max(0, tail.length - FALLBACK_LOG_BYTES)).toString('utf8');
  }
  return undefined;
}
