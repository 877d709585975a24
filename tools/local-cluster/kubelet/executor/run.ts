// Emulates one run of kaniko's executor (osscontainertools/kaniko cmd/executor/cmd/root.go)
// in the order kaniko works: parse the flags, configure logging, validate the flags, resolve
// the build context and Dockerfile, check push permissions, build, write the digest, push.
// It reports its memory and the bytes it writes, so the kubelet can OOM-kill or evict it.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseKanikoArgs, type KanikoOptions } from './args';
import { planBuild } from './build-plan';
import { BuildFailure, emulateBuild, type BuildResult } from './build';
import { ContainerFiles } from './container-files';
import { resolveContext, type ResolvedContext } from './context';
import { parseDockerfile } from './dockerfile';
import {
  deprecatesSkipUnusedStages, doublesAzureBlobPath, lookUpExecutorImage, usesSplitPushCheckMessage, type KanikoImage,
} from './image-version';
import { layerCacheOptions } from './layer-cache';
import { isLogFormat, KanikoLogger, parseLogLevel } from './log';
import { resolveDockerfilePath } from './dockerfile-path';
import { ExecutorExit, exitAfter, failLikeCobra, USAGE } from './exit';
import { pushImage } from './push';
import { checkPushPermissions, dockerConfigPath, pullProblem, pushRejection, type RegistryCredential } from './registry-auth';
import { RegistryStore } from './registry-store';
import { type ContainerUsage, OutOfMemoryKill, UNCOUNTED_USAGE } from '../resource-usage';
import { sleepUnlessAborted } from './sleep';
import type { StdinSource } from './stdin-archive';

export interface ExecutorRequest {
  /** The container's image, which decides release-specific behaviour. */
  image: string;
  args: readonly string[];
  env: Readonly<Record<string, string>>;
  /** Files that the pod's volumes mount, keyed by absolute path in the container. */
  mountedFiles: ReadonlyMap<string, Buffer>;
  resolveBlobService(host: string): string | undefined;
  registryCredentials?: Readonly<Record<string, RegistryCredential>>;
  /** The images and cached layers of the emulated registries; a run without one starts with empty registries. */
  registry?: RegistryStore;
  /** PEM certificates trusted for `https://` contexts besides Node's defaults. */
  caCertificates?: string[];
  /** The stdin pipe of a container with `stdin: true` and no `tty`; undefined when stdin is a character device. */
  stdin?: StdinSource;
  /** Pause between log lines, in milliseconds. */
  stepDelayMs: number;
  /** Factor applied to the duration of `sleep` in RUN steps. The default is 1. */
  sleepScale?: number;
  /** Receives the memory the executor keeps and the bytes it writes. It may throw OutOfMemoryKill. */
  usage?: ContainerUsage;
  /** Stops the run; runExecutor then rejects with the signal's reason. */
  signal: AbortSignal;
  /** Receives each line of the container's output, without its newline. */
  writeLine(line: string): void;
  /** Receives the sorted files of the build context as soon as it is unpacked. */
  onContextUnpacked?(files: string[]): void;
  now?: () => Date;
}

export interface ExecutorResult {
  exitCode: number;
  /** Files the run wrote outside kaniko's own directories, such as /dev/termination-log. */
  writtenFiles: Map<string, Buffer>;
  /** Regular files and symlinks of the unpacked build context, sorted. */
  contextFiles: string[];
  /** Digest of the built image, when the build succeeded. */
  digest?: string;
  /** Set when the kernel killed the executor for passing the container's memory limit. */
  oomKilled?: { limitBytes: number };
}

/**
 * Memory that kaniko's executor uses before it builds anything, an estimate. The emulation adds
 * every byte that RUN steps write, because kaniko keeps the files of each snapshot while it
 * builds the layer.
 */
export const EXECUTOR_BASE_MEMORY_BYTES = 60 * 1024 * 1024;
/** Exit code of a process killed with SIGKILL (128 + 9), as after an OOM kill. */
const KILLED_EXIT_CODE = 137;

/** Runs the emulated executor to its exit code. */
export async function runExecutor(request: ExecutorRequest): Promise<ExecutorResult> {
  const result: ExecutorResult = { exitCode: 0, writtenFiles: new Map(), contextFiles: [] };
  try {
    (request.usage ?? UNCOUNTED_USAGE).addMemoryBytes(EXECUTOR_BASE_MEMORY_BYTES);
    await execute(request, result);
  } catch (error) {
    if (error instanceof OutOfMemoryKill) {
      result.exitCode = KILLED_EXIT_CODE;
      result.oomKilled = { limitBytes: error.limitBytes };
      return result;
    }
    if (!(error instanceof ExecutorExit)) throw error;
    result.exitCode = error.exitCode;
  }
  return result;
}

async function execute(request: ExecutorRequest, result: ExecutorResult): Promise<void> {
  const lookup = lookUpExecutorImage(request.image);
  const image: KanikoImage = lookup.kind === 'kaniko' ? lookup.image : { project: 'osscontainertools' };
  const parsed = parseKanikoArgs(request.args);
  if (parsed.kind === 'error' && parsed.unknownCommand) {
    exitAfter(request, [`Error: ${parsed.message}`, "Run 'executor --help' for usage."], 1);
  }
  if (parsed.kind === 'error') failLikeCobra(request, parsed.message);
  if (parsed.kind === 'help') exitAfter(request, USAGE, 0);
  if (parsed.kind === 'version') exitAfter(request, [`Kaniko version :  ${versionText(image)}`], 0);
  if (parsed.kind !== 'build') return;
  const options = parsed.options;

  const logger = createLogger(request, options);
  const pause = (): Promise<void> => sleep(request.stepDelayMs, undefined, { signal: request.signal });
  warnAboutDeprecatedFlags(options, image, logger);
  applyEnvironmentOverrides(options, request, logger);
  validateFlags(options, request);

  const files = new ContainerFiles(request.mountedFiles);
  const context = await resolveSourceContext(options, request, files, logger, image);
  result.contextFiles = context.files;
  request.usage?.addWritableLayerBytes(context.unpackedBytes);
  request.onContextUnpacked?.(context.files);
  const dockerfilePath = resolveDockerfilePath(options.dockerfile, context.root, files);
  if (!dockerfilePath) {
    failLikeCobra(request, 'error resolving dockerfile path: please provide a valid path to a Dockerfile within the build context with --dockerfile');
  }

  const registries = new RegistryAccess(options, request, files);
  checkPermissions(options, request, registries, logger, image);
  const built = await build(options, request, { files, logger, pause, image, contextRoot: context.root, dockerfilePath }, registries);

  const digest = `sha256:${createHash('sha256').update(`${context.fingerprint}\n${request.args.join('\n')}`).digest('hex')}`;
  result.digest = digest;
  try {
    await pushImage({
      options, digest, labels: built.labels, logger, pause, writtenFiles: result.writtenFiles, store: registries.store,
      checkPush: (reference) => registries.pushRejection(reference), now: request.now ?? (() => new Date()), signal: request.signal,
    });
  } catch (error) {
    if (request.signal.aborted) throw error;
    exitAfter(request, [(error as Error).message], 1);
  }
}

function createLogger(request: ExecutorRequest, options: KanikoOptions): KanikoLogger {
  const level = parseLogLevel(options.verbosity);
  if (!level) failLikeCobra(request, `parsing log level: not a valid logrus Level: "${options.verbosity}"`);
  if (!isLogFormat(options.logFormat)) {
    failLikeCobra(request, `not a valid log format: "${options.logFormat}". Please specify one of (text, color, json)`);
  }
  return new KanikoLogger({
    format: options.logFormat,
    level,
    fullTimestamps: options.logTimestamp,
    writeLine: request.writeLine,
    now: request.now,
  });
}

function warnAboutDeprecatedFlags(options: KanikoOptions, image: KanikoImage, logger: KanikoLogger): void {
  if (options.setFlags.has('skip-unused-stages') && deprecatesSkipUnusedStages(image)) {
    logger.warn('Flag --skip-unused-stages is deprecated. This is the new default behaviour. If you want to build multiple independent stages pass them as --target instead');
  }
}

/** Applies KANIKO_NO_PUSH, which kaniko reads before it validates the destinations. */
function applyEnvironmentOverrides(options: KanikoOptions, request: ExecutorRequest, logger: KanikoLogger): void {
  const value = request.env.KANIKO_NO_PUSH;
  if (value === undefined) return;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) {
    options.noPush = true;
  } else if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) {
    options.noPush = false;
  } else {
    // kaniko stops here through logrus.Fatalf, which logs at fatal level and exits 1.
    logger.log('fatal', `invalid value "${value}" for KANIKO_NO_PUSH environment variable`);
    exitAfter(request, [], 1);
  }
}

function validateFlags(options: KanikoOptions, request: ExecutorRequest): void {
  if (!options.noPush && options.destinations.length === 0) {
    failLikeCobra(request, 'you must provide --destination, or use --no-push');
  }
  if (options.cache && !options.noPushCache && options.cacheRepo === '' && options.noPush) {
    failLikeCobra(request, 'cache flags invalid: if using cache with --no-push, specify cache repo with --cache-repo');
  }
}

async function resolveSourceContext(
  options: KanikoOptions,
  request: ExecutorRequest,
  files: ContainerFiles,
  logger: KanikoLogger,
  image: KanikoImage,
): Promise<ResolvedContext> {
  try {
    return await resolveContext({
      context: options.context,
      contextSubPath: options.contextSubPath,
      env: request.env,
      files,
      logger,
      resolveBlobService: request.resolveBlobService,
      caCertificates: request.caCertificates,
      doubleAzureBlobPath: doublesAzureBlobPath(image),
      stdin: request.stdin,
      signal: request.signal,
    });
  } catch (error) {
    if (request.signal.aborted) throw error;
    return failLikeCobra(request, `error resolving source context: ${(error as Error).message}`);
  }
}

/**
 * The emulated registries as the pod reaches them: with its credentials, and over plain HTTP
 * for the registries that kaniko's flags make insecure.
 */
class RegistryAccess {
  readonly store: RegistryStore;

  constructor(private readonly options: KanikoOptions, private readonly request: ExecutorRequest, readonly files: ContainerFiles) {
    this.store = request.registry ?? new RegistryStore();
  }

  /** Returns the credential lookup for pulls (with `--insecure-pull`) or pushes (with `--insecure`). */
  lookup(direction: 'pull' | 'push') {
    const { options, request } = this;
    const everyRegistry = direction === 'pull' ? options.insecurePull : options.insecure;
    return {
      env: request.env,
      files: this.files,
      registryCredentials: request.registryCredentials,
      transportProblem: (registry: string) => this.store.plainHttpProblem(registry, everyRegistry || options.insecureRegistries.includes(registry)),
    };
  }

  pullProblem(image: string): string | undefined {
    return pullProblem(image, this.lookup('pull'));
  }

  pushRejection(reference: string): string | undefined {
    return pushRejection(reference, this.lookup('push'));
  }
}

function checkPermissions(
  options: KanikoOptions,
  request: ExecutorRequest,
  registries: RegistryAccess,
  logger: KanikoLogger,
  image: KanikoImage,
): void {
  const splitMessage = usesSplitPushCheckMessage(image);
  if (splitMessage && (!options.noPush || options.cacheRepo !== '')) {
    // The same kaniko release began to log where it looks for credentials.
    const fileSource = registries.files.readFile(dockerConfigPath(request.env)) ? `file:${dockerConfigPath(request.env)}, ` : '';
    logger.info(`credential providers by priority: [${fileSource}env, google, ecr, acr, gitlab]`);
  }
  try {
    checkPushPermissions({ options, ...registries.lookup('push') });
  } catch (error) {
    const inner = (error as Error).message;
    if (splitMessage) {
      logger.warn('make sure you entered the correct tag name, that you are authenticated correctly, and try again.');
      exitAfter(request, [`error checking push permissions: ${inner}`], 1);
    }
    exitAfter(request, [
      `error checking push permissions -- make sure you entered the correct tag name, and that you are authenticated correctly, and try again: ${inner}`,
    ], 1);
  }
}

interface BuildContext {
  files: ContainerFiles;
  logger: KanikoLogger;
  pause: () => Promise<void>;
  image: KanikoImage;
  contextRoot: string;
  dockerfilePath: string;
}

async function build(
  options: KanikoOptions, request: ExecutorRequest, context: BuildContext, registries: RegistryAccess,
): Promise<BuildResult> {
  try {
    const text = context.files.readFile(context.dockerfilePath)?.toString('utf8') ?? '';
    const dockerfile = parseWithPrefix(text);
    const plan = planBuild(dockerfile, {
      buildArgs: options.buildArgs,
      targets: options.targets,
      skipUnusedStages: options.setFlags.has('skip-unused-stages') || deprecatesSkipUnusedStages(context.image),
      env: request.env,
    });
    checkBuildOptions(options);
    const checkPull = (image: string): string | undefined => registries.pullProblem(image);
    const sleep = (seconds: number): Promise<void> => sleepUnlessAborted(seconds * 1000 * (request.sleepScale ?? 1), request.signal);
    const cacheOptions = layerCacheOptions(options);
    const cache = cacheOptions && {
      cache: cacheOptions, store: registries.store, logger: context.logger, now: request.now ?? (() => new Date()), checkPull,
      checkPush: (reference: string) => registries.pushRejection(reference),
    };
    return await emulateBuild({ plan, ...context, checkPull, sleep, usage: request.usage ?? UNCOUNTED_USAGE, options, cache });
  } catch (error) {
    if (request.signal.aborted || isProgrammingError(error) || error instanceof OutOfMemoryKill) throw error;
    const exitCode = error instanceof BuildFailure ? error.exitCode : 1;
    return exitAfter(request, [`error building image: ${(error as Error).message}`], exitCode);
  }
}

/** Returns whether the error is a bug in the emulation rather than a build failure to report. */
function isProgrammingError(error: unknown): boolean {
  return error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError;
}

function parseWithPrefix(text: string): ReturnType<typeof parseDockerfile> {
  try {
    return parseDockerfile(text);
  } catch (error) {
    throw new Error(`parsing dockerfile: ${(error as Error).message}`, { cause: error });
  }
}

function checkBuildOptions(options: KanikoOptions): void {
  const label = options.labels.find((candidate) => !candidate.includes('='));
  if (label !== undefined) throw new Error(`labels must be of the form key=value, got ${label}`);
  if (!['full', 'redo', 'time'].includes(options.snapshotMode)) {
    throw new Error(`${options.snapshotMode} is not a valid snapshot mode`);
  }
}

function versionText(image: KanikoImage): string {
  return image.version ? `v${image.version.join('.')}` : 'latest';
}
