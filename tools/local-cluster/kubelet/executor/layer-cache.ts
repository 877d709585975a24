// kaniko's layer cache in a registry repository (osscontainertools/kaniko v1.28.3: optimize and
// build in pkg/executor/build.go, pkg/cache/cache.go, pushLayerToCache in pkg/executor/push.go).
// Before it builds a stage, kaniko looks up a cached layer for each cacheable instruction by its
// cache key, and stops at the first miss. It then runs only the instructions without a layer, and
// pushes the layer of each to the cache repository, tagged with the key.
// NOTE: the cache keys chain the base image's name (kaniko uses its digest), each instruction's
// text, the variables in scope of RUN and the contents of COPY and ADD sources. They are not the
// keys that kaniko computes.
import { createHash } from 'node:crypto';
import type { Ignore } from '@balena/dockerignore';
import type { KanikoOptions } from './args';
import type { PlannedStage, BuildPlan } from './build-plan';
import type { ContainerFiles } from './container-files';
import { contextSources, sourceFingerprint } from './context-sources';
import type { Instruction } from './dockerfile';
import type { KanikoLogger } from './log';
import { parseTag, repositoryName } from './reference';
import type { RegistryStore } from './registry-store';
import { applyVariableInstruction } from './stage-variables';

/** kaniko's cache flags. */
export interface LayerCacheOptions {
  /** The cache repository; empty when kaniko cannot infer one (no --cache-repo and no --destination). */
  repository: string;
  ttlSeconds: number;
  /** False with --no-push-cache. */
  pushLayers: boolean;
  runLayers: boolean;
  copyLayers: boolean;
}

export interface LayerCacheContext {
  cache: LayerCacheOptions;
  store: RegistryStore;
  logger: KanikoLogger;
  now: () => Date;
  /** Returns the registry's error when the image cannot be pulled with the pod's credentials. */
  checkPull(image: string): string | undefined;
  /** Returns the registry's error when a push to the reference would be rejected. */
  checkPush(reference: string): string | undefined;
}

/** Returns the cache settings of a run with --cache, else undefined. */
export function layerCacheOptions(options: KanikoOptions): LayerCacheOptions | undefined {
  if (!options.cache) return undefined;
  return {
    repository: options.cacheRepo || inferredRepository(options.destinations),
    ttlSeconds: goDurationSeconds(options.cacheTtl),
    pushLayers: !options.noPushCache,
    runLayers: options.cacheRunLayers,
    copyLayers: options.cacheCopyLayers,
  };
}

/** kaniko's cache.Destination without --cache-repo: the first destination's repository with `/cache`. */
function inferredRepository(destinations: string[]): string {
  if (destinations.length === 0) return '';
  try {
    return `${repositoryName(parseTag(destinations[0]))}/cache`;
  } catch {
    return '';
  }
}

/** Returns the seconds of a Go duration that pflag accepted, such as `336h` or `1h30m`. */
function goDurationSeconds(text: string): number {
  const units: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) seconds += Number(amount) * units[unit];
  return text.startsWith('-') ? -seconds : seconds;
}

/** The inputs of a stage's cache keys besides its instructions. */
export interface CacheKeyInputs {
  plan: BuildPlan;
  files: ContainerFiles;
  contextRoot: string;
  excluded: Ignore;
  /** The final keys of the stages built so far, by stage index. */
  stageKeys: Map<number, string>;
}

/** Returns the cache key after each instruction of the stage, and records the stage's final key. */
export function stageCacheKeys(planned: PlannedStage, inputs: CacheKeyInputs): string[] {
  let key = planned.baseIndex === -1 ? hash(`image\n${planned.baseName}`) : inputs.stageKeys.get(planned.baseIndex) ?? '';
  const variables = new Map<string, string>();
  const keys = planned.stage.instructions.map((instruction) => {
    applyVariableInstruction(instruction, variables, inputs.plan);
    const parts = [key, instruction.code];
    if (instruction.keyword === 'RUN') parts.push(...[...variables].map(([name, value]) => `${name}=${value}`).sort());
    if (instruction.keyword === 'COPY' || instruction.keyword === 'ADD') {
      parts.push(...contextSources(instruction, variables).map((source) => sourceFingerprint(inputs.files, inputs.contextRoot, source, inputs.excluded)));
    }
    key = hash(parts.join('\n'));
    return key;
  });
  inputs.stageKeys.set(planned.index, key);
  return keys;
}

/** Tells whether kaniko caches the instruction's layer: RUN unless --cache-run-layers=false, COPY only with --cache-copy-layers. */
export function cachesLayer(instruction: Instruction, cache: LayerCacheOptions): boolean {
  if (instruction.keyword === 'RUN') return cache.runLayers;
  return instruction.keyword === 'COPY' && cache.copyLayers;
}

/**
 * kaniko's optimize pass: looks up the cacheable instructions' layers in order and returns the
 * indexes of those found. Lookups stop at the first miss, because the layers after it change.
 */
export function findCachedLayers(instructions: Instruction[], keys: string[], context: LayerCacheContext): Set<number> {
  const found = new Set<number>();
  for (const [index, instruction] of instructions.entries()) {
    if (!cachesLayer(instruction, context.cache)) continue;
    if (!lookUp(keys[index], context)) {
      context.logger.info(`No cached layer found for cmd ${instruction.code}`);
      break;
    }
    context.logger.info(`Using caching version of cmd: ${instruction.code}`);
    found.add(index);
  }
  return found;
}

function lookUp(key: string, context: LayerCacheContext): boolean {
  const { cache, logger } = context;
  if (!cache.repository) {
    logger.log('debug', 'Failed to retrieve layer: getting cache destination: cache repo can\'t be deduced');
    return false;
  }
  const reference = `${cache.repository}:${key}`;
  logger.info(`Checking for cached layer ${reference}...`);
  const problem = context.checkPull(reference);
  const layer = problem ? undefined : context.store.get(storeKey(reference));
  if (!layer) {
    logger.log('debug', `Failed to retrieve layer: ${problem ?? `GET ${reference}: MANIFEST_UNKNOWN: manifest unknown`}`);
    return false;
  }
  if (layer.created.getTime() + cache.ttlSeconds * 1000 < context.now().getTime()) {
    logger.info(`Cache entry expired: ${reference}`);
    return false;
  }
  return true;
}

/**
 * Pushes the layer of an instruction that ran to the cache repository, as kaniko's
 * pushLayerToCache does through DoPush. Returns kaniko's error, which it logs as a warning at the
 * end of the stage without failing the build.
 */
export function pushCachedLayer(key: string, context: LayerCacheContext): string | undefined {
  const { cache, logger } = context;
  if (!cache.pushLayers || !cache.repository) return undefined;
  const reference = `${cache.repository}:${key}`;
  logger.info(`Pushing layer ${reference} to cache now`);
  logger.info(`Pushing image to ${reference}`);
  const problem = context.checkPush(reference);
  if (problem) return `failed to push to destination ${reference}: ${problem}`;
  const digest = `sha256:${hash(`cache layer\n${key}`)}`;
  context.store.put(storeKey(reference), { digest, labels: {}, created: context.now() });
  logger.info(`Pushed ${repositoryName(parseTag(reference))}@${digest}`);
  return undefined;
}

function storeKey(reference: string): string {
  const parsed = parseTag(reference);
  return `${repositoryName(parsed)}:${parsed.tag}`;
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
