// Emulates kaniko's DoBuild (osscontainertools/kaniko pkg/executor/build.go): logs each stage
// and instruction as kaniko does, checks COPY and ADD sources against the build context and
// runs RUN instructions through the emulated shell, counting the bytes they write.
import { posix } from 'node:path';
import ignore, { type Ignore } from '@balena/dockerignore';
import { formatDependencies, type BuildPlan, type PlannedStage } from './build-plan';
import type { ContainerFiles } from './container-files';
import { flagValue, splitCopyArguments, type Instruction } from './dockerfile';
import type { KanikoLogger } from './log';
import { parseReference } from './reference';
import type { ContainerUsage } from '../resource-usage';
import { expandVariables, parseKeyValues } from './shell';
import { runExecForm, runShellScript, type ShellEnvironment, type ShellResult } from './shell-script';

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
}

/** A build step that failed; `exitCode` is kaniko's exit code. */
export class BuildFailure extends Error {
  constructor(message: string, readonly exitCode = 1, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Runs the planned build; throws BuildFailure with kaniko's message without its `error building image: ` prefix. */
export async function emulateBuild(request: BuildRequest): Promise<void> {
  const { plan, logger, pause } = request;
  const excluded = loadDockerignore(request);
  logger.info(`Built cross stage deps: ${formatDependencies(plan.crossStageDependencies)}`);
  await pause();
  await retrieveBaseImages(plan.stages, request);

  for (const [position, stage] of plan.stages.entries()) {
    await buildStage(stage, request, excluded);
    if (position < plan.stages.length - 1) {
      logger.info('Deleting filesystem...');
      await pause();
    }
  }
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
    let registry: string;
    try {
      registry = parseReference(image).registry;
    } catch (error) {
      throw new BuildFailure(`could not parse reference: ${image}`, 1, { cause: error });
    }
    logger.info(`Retrieving image manifest ${image}`);
    await pause();
    const problem = request.checkPull(image);
    if (problem) throw new BuildFailure(problem);
    logger.info(`Retrieving image ${image} from registry ${registry}`);
    await pause();
  }
}

async function buildStage(planned: PlannedStage, request: BuildRequest, excluded: Ignore): Promise<void> {
  const { logger, pause } = request;
  if (planned.baseName === 'scratch') {
    logger.info('No base image, nothing to extract');
  } else if (planned.baseIndex === -1) {
    logger.info(`Retrieving image manifest ${planned.baseName}`);
    logger.info('Returning cached image manifest');
  }
  logger.info(`Building stage '${planned.baseName}' [idx: '${planned.index}', base-idx: '${planned.baseIndex}']`);
  await pause();

  const firstRun = planned.stage.instructions.find((instruction) => instruction.keyword === 'RUN');
  logger.info(firstRun ? `Unpacking rootfs as cmd ${firstRun.code} requires it.` : 'Skipping unpacking as no commands require it.');
  await pause();

  const variables = new Map<string, string>();
  const state = { snapshotterReady: false };
  for (const instruction of planned.stage.instructions) {
    logger.info(instruction.code);
    await pause();
    await runInstruction(instruction, { request, excluded, variables, state });
  }
}

interface StageContext {
  request: BuildRequest;
  excluded: Ignore;
  /** ARG and ENV values in scope. */
  variables: Map<string, string>;
  state: { snapshotterReady: boolean };
}

async function runInstruction(instruction: Instruction, stage: StageContext): Promise<void> {
  switch (instruction.keyword) {
    case 'ARG':
      declareArgs(instruction, stage);
      return;
    case 'ENV':
      for (const { key, value } of parseKeyValues(instruction.rest, true)) {
        stage.variables.set(key, expandVariables(value ?? '', stage.variables));
      }
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
      // Metadata instructions (LABEL, WORKDIR, USER, CMD, ...) change only the image config.
      return;
  }
}

function declareArgs(instruction: Instruction, stage: StageContext): void {
  const { plan } = stage.request;
  for (const { key, value } of parseKeyValues(instruction.rest, false)) {
    const fallback = value === undefined ? plan.metaArgs.get(key) : expandVariables(value, stage.variables);
    const resolved = plan.buildArgs.get(key) ?? fallback;
    if (resolved !== undefined) stage.variables.set(key, resolved);
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
  if (flagValue(instruction, 'from') !== undefined) return;
  const { files, contextRoot } = stage.request;
  const sources = splitCopyArguments(instruction.rest).slice(0, -1).map((source) => expandVariables(source, stage.variables));
  for (const source of sources) {
    if (/^https?:\/\//.test(source)) continue;
    const relative = posix.normalize(source).replace(/^\/+/, '').replace(/\/$/, '') || '.';
    const path = posix.join(contextRoot, relative);
    const present = /[*?[]/.test(source)
      ? matchesAny(files, contextRoot, relative, stage.excluded)
      : files.exists(path) && (relative === '.' || !stage.excluded.ignores(relative));
    if (!present) {
      throw new BuildFailure(
        `error building stage: failed to execute command: resolving src: failed to get fileinfo for ${path}: lstat ${path}: no such file or directory`,
      );
    }
  }
}

function matchesAny(files: ContainerFiles, contextRoot: string, pattern: string, excluded: Ignore): boolean {
  const expression = new RegExp(`^${globToRegExp(pattern)}(/.*)?$`);
  return [...files.treeUnder(contextRoot).keys()].some((path) => expression.test(path) && !excluded.ignores(path));
}

/** Translates a Go filepath.Match pattern (`*`, `?`, `[...]`) into a regular expression source. */
function globToRegExp(pattern: string): string {
  let source = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index];
    const classEnd = char === '[' ? pattern.indexOf(']', index + 2) : -1;
    if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else if (classEnd !== -1) {
      // A class such as `[a-z]` or `[^0-9]` reads the same in both syntaxes.
      source += `[${pattern.slice(index + 1, classEnd).replace(/\\/g, '\\\\')}]`;
      index = classEnd;
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return source;
}
