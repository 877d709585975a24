// The kaniko options that inputs set besides the build itself: the layer cache, labels, unused
// stages, registry access, building without a push, and further flags.
import { parseCache, type CacheInputs } from './cache';
import { skipsUnusedStagesByDefault } from './executor-version';
import { parseExtraArgs } from './extra-args';
import { parseLabels, type LabelInputs } from './labels';
import type { Problems } from './problems';
import type { RawInputs } from './raw';
import { parseInsecureRegistries, parsePushRetry, parseRegistryMirrors } from './registry-options';
import type { ImageSettings, KanikoSettings, RegistrySettings } from './types';

export type KanikoInputs = CacheInputs & LabelInputs & Pick<RawInputs,
  'skipUnusedStages' | 'pushRetry' | 'registryMirror' | 'insecureRegistries' | 'noPush' | 'extraArgs' | 'executorImage'
>;

/** The other settings that the kaniko options depend on, each undefined when its inputs were invalid. */
export interface KanikoContext {
  image?: ImageSettings;
  /** The push registry and the pull registries: kaniko's credentials. */
  registries: RegistrySettings[];
  /** The Dockerfile's number of stages. */
  stageCount?: number;
}

export function parseKaniko(inputs: KanikoInputs, context: KanikoContext, problems: Problems): KanikoSettings | undefined {
  const start = problems.count;
  const cache = parseCache(inputs, context.image, context.registries, problems);
  const labels = parseLabels(inputs, problems);
  const pushRetry = parsePushRetry(inputs.pushRetry, problems);
  const registryMirrors = parseRegistryMirrors(inputs.registryMirror, problems);
  const insecureRegistries = parseInsecureRegistries(inputs.insecureRegistries, problems);
  const extraArgs = parseExtraArgs(inputs.extraArgs, problems);
  if (problems.count > start || !labels || pushRetry === undefined || !registryMirrors || !insecureRegistries || !extraArgs) {
    return undefined;
  }
  return {
    ...(cache ? { cache } : {}),
    labels,
    // The flag changes nothing for a single stage, and newer releases log a deprecation warning for it.
    skipUnusedStages: wantsSkipUnusedStages(inputs) && (context.stageCount ?? 0) > 1
      && !skipsUnusedStagesByDefault(inputs.executorImage),
    pushRetry,
    registryMirrors,
    insecureRegistries,
    noPush: isNoPush(inputs),
    extraArgs,
  };
}

/** Returns whether the skipUnusedStages input is on, the default: build only the stages that the target needs. */
export function wantsSkipUnusedStages(inputs: Pick<KanikoInputs, 'skipUnusedStages'>): boolean {
  return inputs.skipUnusedStages.toLowerCase() !== 'false';
}

export function isNoPush(inputs: Pick<KanikoInputs, 'noPush'>): boolean {
  return inputs.noPush.toLowerCase() === 'true';
}
