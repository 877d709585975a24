// kaniko's layer cache: the repository it stores cached RUN layers in, and how long they stay valid.
import { loc } from '../messages';
import { goDurationSeconds } from './go-values';
import { isRepositoryPath, splitRepository } from './image';
import type { Problems } from './problems';
import type { CacheSettings, ImageSettings, RegistrySettings } from './types';

export interface CacheInputs {
  cache: string;
  cacheRepository: string;
  cacheTtl: string;
}

/**
 * Parses the cache inputs; returns undefined when the cache is off or an input is invalid. The
 * repository defaults to the image repository with `/cache` added, as kaniko infers it from the
 * first destination (Destination in osscontainertools/kaniko pkg/cache/cache.go). It must be on a
 * registry in `registries`, those that kaniko has credentials for.
 */
export function parseCache(
  inputs: CacheInputs, image: ImageSettings | undefined, registries: RegistrySettings[], problems: Problems,
): CacheSettings | undefined {
  if (inputs.cache.toLowerCase() !== 'true') return undefined;
  const ttl = parseTtl(inputs.cacheTtl, problems);
  if (!image) return undefined;
  const repository = parseRepository(inputs.cacheRepository, image, problems);
  if (!repository || ttl === null) return undefined;
  const host = splitRepository(repository).host!;
  if (!registries.some((registry) => registry.host === host && !registry.noCredentials)) {
    problems.add(loc('CacheRepositoryNoCredentials', host, repository, host));
    return undefined;
  }
  return { repository, ...(ttl ? { ttl } : {}) };
}

/** Returns the repository with its registry host; a repository without one is on the image's registry. */
function parseRepository(input: string, image: ImageSettings, problems: Problems): string | undefined {
  if (!input) return `${image.repository}/cache`;
  const { host, path } = splitRepository(input);
  if (input.startsWith('oci:') || !path || !isRepositoryPath(path)) {
    problems.add(loc('CacheRepositoryInvalid', input));
    return undefined;
  }
  return `${host ?? splitRepository(image.repository).host}/${path}`;
}

/** Returns the TTL as written, undefined for kaniko's default, or null when it is not a positive Go duration. */
function parseTtl(input: string, problems: Problems): string | undefined | null {
  if (!input) return undefined;
  const seconds = goDurationSeconds(input);
  if (seconds === undefined || seconds <= 0) {
    problems.add(loc('CacheTtlInvalid', input));
    return null;
  }
  return input;
}
