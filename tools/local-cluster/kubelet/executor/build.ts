// Emulates kaniko's DoBuild (osscontainertools/kaniko pkg/executor/build.go): logs each stage
// and instruction as kaniko does, checks COPY and ADD sources against the build context, runs
// RUN instructions through the emulated shell, counting the bytes they write, uses and fills the
// layer cache with --cache, and collects the pushed stage's labels.
import { posix } from 'node:path';
import ignore, { type Ignore } from '@balena/dockerignore';
import type { KanikoOptions } from './args';
import { formatDependencies, type BuildPlan, type PlannedStage } from './build-plan';
import type { ContainerFiles } from './container-files';
import { contextSources, matchesAny } from './context-sources';
import type { Instruction } from './dockerfile';
import { cachesLayer, findCachedLayers, pushCachedLayer, stageCacheKeys, type LayerCacheContext } from './layer-cache';
import type { KanikoLogger } from './log';
import { DOCKER_HUB_REGISTRY, parseReference, type ImageReference } from './reference';
import type { ContainerUsage } from '../resource-usage';
import { runExecForm, runShellScript, type ShellEnvironment, type ShellResult } from './shell-script';
import { applyLabelInstruction, applyVariableInstruction } from './stage-variables';

export interface BuildRequest {
  plan: BuildPlan;
  files: ContainerFiles;
  /** Directory of the build context in the container. */
  contextRoot: string;
  /** Path of the Dockerfile in the container, for `Dockerfile.dockerignore`. */
  dockerfilePath: string;
  logger: KanikoLogger;
  /** Waits between log lines; rejects when the run is stopped. */
  pause: () => Promise<void>;
  /** Returns the registry's error when an image cannot be pulled with the pod's credentials, else undefined. */
  checkPull: (image: string) => string | undefined;
  /** Waits while a RUN step's `sleep` runs, given in seconds. Rejects when the run is stopped. */
  sleep: (seconds: number) => Promise<void>;
  /** Receives the bytes that RUN steps write and the memory their snapshots take. */
  usage: ContainerUsage;
  /** The flags: --label, --registry-mirror and --skip-default-registry-fallback. */
  options: Pick<KanikoOptions, 'labels' | 'registryMirrors' | 'skipDefaultRegistryFallback'>;
  /** Set with --cache. */
  cache?: LayerCacheContext;
}

export interface BuildResult {
  /** The labels of the pushed stage's config: the --label values, then its LABEL instructions. */
  labels: Record<string, string>;
}

/** A build step that failed; `exitCode` is kaniko's exit code. */
export class BuildFailure extends Error {
  constructor(message: string, readonly exitCode = 1, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Runs the planned build; throws BuildFailure with kaniko's message without its `error building image: ` prefix. */
export async function emulateBuild(request: BuildRequest): Promise<BuildResult> {
  const { plan, logger, pause } = request;
  const excluded = loadDockerignore(request);
  logger.info(`Built cross stage deps: ${formatDependencies(plan.crossStageDependencies)}`);
  await pause();
  await retrieveBaseImages(plan.stages, request);

  const stageKeys = new Map<number, string>();
  const stageLabels = new Map<number, Map<string, string>>();
  for (const [position, stage] of plan.stages.entries()) {
    const pushed = position === plan.stages.length - 1;
    stageLabels.set(stage.index, await buildStage(stage, { request, excluded, stageKeys, stageLabels, pushed }));
    if (!pushed) {
      logger.info('Deleting filesystem...');
      await pause();
    }
  }
  return { labels: Object.fromEntries(stageLabels.get(plan.stages[plan.stages.length - 1].index) ?? []) };
}

function loadDockerignore(request: BuildRequest): Ignore {
  const candidates = [`${request.dockerfilePath}.dockerignore`, posix.join(request.contextRoot, '.dockerignore')];
  const path = candidates.find((candidate) => request.files.readFile(candidate) !== undefined);
  const matcher = ignore();
  if (!path) return matcher;
  request.logger.info(`Using dockerignore file: ${path}`);
  return matcher.add(request.files.readFile(path)?.toString('utf8') ?? '');
}

async function retrieveBaseImages(stages: PlannedStage[], request: BuildRequest): Promise<void> {
  const { logger, pause } = request;
  const images = new Set(stages.filter((s) => s.baseIndex === -1 && s.baseName !== 'scratch').map((s) => s.baseName));
  for (const image of images) {
    let reference: ImageReference;
    try {
      reference = parseReference(image);
    } catch (error) {
      throw new BuildFailure(`could not parse reference: ${image}`, 1, { cause: error });
    }
    logger.info(`Retrieving image manifest ${image}`);
    await pause();
    if (await pullFromMirror(image, reference, request)) continue;
    const problem = request.checkPull(image);
    if (problem) throw new BuildFailure(problem);
    logger.info(`Retrieving image ${image} from registry ${reference.registry}`);
    await pause();
  }
}

/**
 * Pulls a Docker Hub image from the first --registry-mirror that serves it, as kaniko's
 * RetrieveRemoteImage does (pkg/image/remote/remote.go): a mirror `host/path` serves Docker Hub's
 * `library/alpine` as `host/path/library/alpine`. Returns false to fall back to Docker Hub.
 */
async function pullFromMirror(image: string, reference: ImageReference, request: BuildRequest): Promise<boolean> {
  const { logger, pause, options } = request;
  if (reference.registry !== DOCKER_HUB_REGISTRY || options.registryMirrors.length === 0) return false;
  for (const mirror of options.registryMirrors) {
    const slash = mirror.indexOf('/');
    const host = slash === -1 ? mirror : mirror.slice(0, slash);
    const prefix = slash === -1 ? '' : `${mirror.slice(slash + 1).replace(/\/$/, '')}/`;
    const remapped = `${host}/${prefix}${reference.repository}${reference.digest ? `@${reference.digest}` : `:${reference.tag}`}`;
    logger.info(`Retrieving image ${image} from mapped registry ${host}`);
    await pause();
    const problem = request.checkPull(remapped);
    if (!problem) return true;
    logger.warn(`Failed to retrieve image ${image} from remapped registry ${host}: ${problem}. Will try with the next registry, or fallback to the original registry.`);
  }
  if (options.skipDefaultRegistryFallback) throw new BuildFailure(`image not found on any configured mapped registries for ${image}`);
  return false;
}

interface StageRun {
  request: BuildRequest;
  excluded: Ignore;
  /** The final cache keys of the stages built so far. */
  stageKeys: Map<number, string>;
  /** The config labels of the stages built so far, which a stage built on one of them starts with. */
  stageLabels: Map<number, Map<string, string>>;
  /** Whether kaniko pushes this stage, the last one it builds, which gets the --label values. */
  pushed: boolean;
}

/** Builds one stage and returns the labels of its config. */
async function buildStage(planned: PlannedStage, run: StageRun): Promise<Map<string, string>> {
  const { request, excluded } = run;
  const { logger, pause } = request;
  if (planned.baseName === 'scratch') {
    logger.info('No base image, nothing to extract');
  } else if (planned.baseIndex === -1) {
    logger.info(`Retrieving image manifest ${planned.baseName}`);
    logger.info('Returning cached image manifest');
  }
  logger.info(`Building stage '${planned.baseName}' [idx: '${planned.index}', base-idx: '${planned.baseIndex}']`);
  await pause();

  const { instructions } = planned.stage;
  const cache = request.cache;
  const keys = cache ? stageCacheKeys(planned, { ...request, excluded, stageKeys: run.stageKeys }) : [];
  const cached = cache ? findCachedLayers(instructions, keys, cache) : new Set<number>();
  // A layer from the cache needs no unpacked file system (kaniko's CachingRunCommand).
  const firstRun = instructions.find((instruction, index) => instruction.keyword === 'RUN' && !cached.has(index));
  logger.info(firstRun ? `Unpacking rootfs as cmd ${firstRun.code} requires it.` : 'Skipping unpacking as no commands require it.');
  await pause();

  const stage: StageContext = {
    request, excluded, variables: new Map(), state: { snapshotterReady: false },
    labels: new Map([...(run.stageLabels.get(planned.baseIndex) ?? []), ...(run.pushed ? labelsOf(request.options.labels) : [])]),
  };
  const cacheErrors: string[] = [];
  for (const [index, instruction] of instructions.entries()) {
    logger.info(instruction.code);
    await pause();
    if (cached.has(index)) {
      logger.info('Found cached layer, extracting to filesystem');
      await pause();
      continue;
    }
    await runInstruction(instruction, stage);
    if (cache && cachesLayer(instruction, cache.cache)) {
      const error = pushCachedLayer(keys[index], cache);
      if (error) cacheErrors.push(error);
    }
  }
  // kaniko pushes cached layers in parallel and reports the first failure after the stage.
  if (cacheErrors.length > 0) logger.warn(`Error uploading layer to cache: ${cacheErrors[0]}`);
  return stage.labels;
}

/** Returns the `key=value` pairs of --label, split at the first `=` (initConfig in kaniko's pkg/executor/build.go). */
function labelsOf(labels: string[]): [string, string][] {
  return labels.map((label) => [label.slice(0, label.indexOf('=')), label.slice(label.indexOf('=') + 1)]);
}

interface StageContext {
  request: BuildRequest;
  excluded: Ignore;
  /** ARG and ENV values in scope. */
  variables: Map<string, string>;
  state: { snapshotterReady: boolean };
  /** The labels of the stage's config. */
  labels: Map<string, string>;
}

async function runInstruction(instruction: Instruction, stage: StageContext): Promise<void> {
  if (applyVariableInstruction(instruction, stage.variables, stage.request.plan)) return;
  switch (instruction.keyword) {
    case 'LABEL':
      applyLabelInstruction(instruction, stage.labels, stage.variables);
      return;
    case 'COPY':
    case 'ADD':
      checkSources(instruction, stage);
      stage.request.logger.info('Taking snapshot of files...');
      await stage.request.pause();
      return;
    case 'RUN':
      await runStep(instruction, stage);
      return;
    default:
      // Other metadata instructions (WORKDIR, USER, CMD, ...) change only the image config.
      return;
  }
}

async function runStep(instruction: Instruction, stage: StageContext): Promise<void> {
  const { logger, pause } = stage.request;
  if (!stage.state.snapshotterReady) {
    logger.info('Initializing snapshotter ...');
    logger.info('Taking snapshot of full filesystem...');
    stage.state.snapshotterReady = true;
    await pause();
  }
  const execForm = parseExecForm(instruction.rest);
  const command = execForm ?? ['/bin/sh', '-c', instruction.rest.trim()];
  logger.info(`Cmd: ${command[0]}`);
  logger.info(`Args: [${command.slice(1).join(' ')}]`);
  logger.info(`Running: [${command.join(' ')}]`);
  await pause();

  const environment = shellEnvironment(stage);
  const result: ShellResult = execForm ? await runExecForm(execForm, environment) : await runShellScript(command[2], environment);
  await pause();
  if (result.exitCode !== 0) {
    throw new BuildFailure(
      `error building stage: failed to execute command: waiting for process to exit: exit status ${result.exitCode}`,
      result.exitCode,
    );
  }
  logger.info('Taking snapshot of full filesystem...');
  await pause();
}

/**
 * Connects the shell to the container: a file that a RUN step writes lands in kaniko's root file
 * system (the container's writable layer) and in the snapshot that kaniko keeps in memory.
 */
function shellEnvironment(stage: StageContext): ShellEnvironment {
  const { usage, sleep } = stage.request;
  return {
    variables: stage.variables,
    sleep,
    writeLine: (text) => stage.request.logger.raw(text),
    writeFile: (_path, bytes) => {
      usage.addMemoryBytes(bytes);
      usage.addWritableLayerBytes(bytes);
    },
    writeOutputBytes: (bytes) => usage.addLogBytes(bytes),
  };
}

function parseExecForm(rest: string): string[] | undefined {
  const trimmed = rest.trim();
  if (!trimmed.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return Array.isArray(parsed) && parsed.length > 0 && parsed.every((word) => typeof word === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Fails like kaniko when a COPY or ADD source is missing from the build context. Sources from
 * another stage or a URL are not checked.
 * NOTE: kaniko copies nothing, without an error, for a source that .dockerignore excludes
 * and for a wildcard that matches nothing. The emulation fails on both so that a test
 * notices the image would lack the files.
 */
function checkSources(instruction: Instruction, stage: StageContext): void {
  const { files, contextRoot } = stage.request;
  for (const relative of contextSources(instruction, stage.variables)) {
    const path = posix.join(contextRoot, relative);
    const present = /[*?[]/.test(relative)
      ? matchesAny(files, contextRoot, relative, stage.excluded)
      : files.exists(path) && (relative === '.' || !stage.excluded.ignores(relative));
    if (!present) {
      throw new BuildFailure(
        `error building stage: failed to execute command: resolving src: failed to get fileinfo for ${path}: lstat ${path}: no such file or directory`,
      );
    }
  }
}
