// The kaniko options that inputs set besides the build itself: the layer cache and labels.
import { parseCache, type CacheInputs } from './cache';
import { parseLabels, type LabelInputs } from './labels';
import type { Problems } from './problems';
import type { ImageSettings, KanikoSettings, RegistrySettings } from './types';

export type KanikoInputs = CacheInputs & LabelInputs;

/** The other settings that the kaniko options depend on, each undefined when its inputs were invalid. */
export interface KanikoContext {
  image?: ImageSettings;
  /** The push registry and the pull registries: kaniko's credentials. */
  registries: RegistrySettings[];
}

export function parseKaniko(inputs: KanikoInputs, context: KanikoContext, problems: Problems): KanikoSettings | undefined {
  const start = problems.count;
  const cache = parseCache(inputs, context.image, context.registries, problems);
  const labels = parseLabels(inputs, problems);
  if (problems.count > start || !labels) return undefined;
  return { ...(cache ? { cache } : {}), labels };
}
