// Image references, with the grammar of the distribution/reference package that Docker and
// kaniko use (github.com/distribution/reference, regexp.go).
import { loc } from '../messages';
import type { Problems } from './problems';
import type { ImageSettings, RegistrySettings } from './types';

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:localhost|(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*)(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const MAX_NAME_LENGTH = 255;
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * Parses the repository and tags inputs against the registry of the connection. With
 * `tagsOptional` (a build that pushes nothing), an empty tags input is valid.
 */
export function parseImage(
  repositoryInput: string, tagsInput: string, registry: RegistrySettings | undefined, problems: Problems, tagsOptional = false,
): ImageSettings | undefined {
  const tags = parseTags(tagsInput, tagsOptional, problems);
  const repository = registry ? parseRepository(repositoryInput, registry, problems) : undefined;
  if (!repository || !tags) return undefined;
  return { repository, tags };
}

function parseRepository(input: string, registry: RegistrySettings, problems: Problems): string | undefined {
  if (!input) {
    problems.add(loc('RepositoryMissing'));
    return undefined;
  }
  const { host: named, path } = splitRepository(input);
  const parts = path.split('/');
  if (/[:@]/.test(path)) {
    problems.add(loc('RepositoryHasTag', input));
    return undefined;
  }
  if (named !== undefined) {
    const sameRegistry = named === registry.host;
    if (!sameRegistry) {
      problems.add(loc('RepositoryOtherRegistry', input, named, registry.host));
      return undefined;
    }
  }
  const invalid = parts.find((part) => !PATH_COMPONENT.test(part));
  if (invalid !== undefined) {
    problems.add(loc('RepositoryInvalid', input, invalid));
    return undefined;
  }
  const repository = `${registry.host}/${parts.join('/')}`;
  if (repository.length > MAX_NAME_LENGTH) {
    problems.add(loc('RepositoryTooLong', input, MAX_NAME_LENGTH));
    return undefined;
  }
  return repository;
}

/**
 * Splits a repository such as `myregistry.azurecr.io/team/web` into its registry host (lower
 * case, Docker Hub's other names as `docker.io`) and its path. The host is undefined when the
 * first part does not look like one, as in `team/web`.
 */
export function splitRepository(input: string): { host?: string; path: string } {
  const slash = input.indexOf('/');
  if (slash < 0 || !isDomain(input.slice(0, slash))) return { path: input };
  const host = input.slice(0, slash).toLowerCase();
  return { host: DOCKER_HUB_ALIASES.has(host) ? 'docker.io' : host, path: input.slice(slash + 1) };
}

/** Tells whether every `/`-separated part of `path` is a valid repository path component. */
export function isRepositoryPath(path: string): boolean {
  return path.split('/').every((part) => PATH_COMPONENT.test(part));
}

/**
 * Returns the push registry of a noPush build without a registry connection, from the host that
 * starts the repository. The task has no credentials for it.
 */
export function registryFromRepository(repository: string, problems: Problems): RegistrySettings | undefined {
  if (!repository) {
    problems.add(loc('RepositoryMissing'));
    return undefined;
  }
  const { host } = splitRepository(repository);
  if (!host) {
    problems.add(loc('RepositoryNeedsRegistryHost', repository, repository));
    return undefined;
  }
  return { connectionName: '', host, authKey: host, username: '', password: '', noCredentials: true };
}

function isDomain(component: string): boolean {
  return (component.includes('.') || component.includes(':') || component === 'localhost') && DOMAIN.test(component);
}

/** Splits the tags input (one a line, commas also accepted), dropping blanks and duplicates. */
function parseTags(input: string, optional: boolean, problems: Problems): string[] | undefined {
  const tags = [...new Set(input.split(/[\r\n,]+/).map((tag) => tag.trim()).filter(Boolean))];
  if (tags.length === 0 && !optional) {
    problems.add(loc('TagsMissing'));
    return undefined;
  }
  const invalid = tags.filter((tag) => !TAG.test(tag));
  for (const tag of invalid) problems.add(loc('TagInvalid', tag));
  return invalid.length ? undefined : tags;
}

/**
 * Returns the registry host of an image reference as Docker normalizes it: the first path
 * component when it looks like a host (has `.` or `:`, is `localhost`, or has upper case), else
 * `docker.io`. Docker Hub's other names also become `docker.io`.
 */
export function imageRegistry(reference: string): string {
  const slash = reference.indexOf('/');
  const first = slash === -1 ? '' : reference.slice(0, slash);
  const isHost = first !== '' && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  if (!isHost) return 'docker.io';
  const host = first.toLowerCase();
  return DOCKER_HUB_ALIASES.has(host) ? 'docker.io' : host;
}

/** Tells whether `text` is a full image reference: `[host/]path[:tag][@sha256:digest]`. */
export function isImageReference(text: string): boolean {
  const match = /^([^@]+?)(?::([^:/@]+))?(?:@(sha256:[a-f0-9]{64}))?$/.exec(text);
  if (!match) return false;
  const [, name, tag] = match;
  if (tag !== undefined && !TAG.test(tag)) return false;
  const parts = name.split('/');
  if (parts.length > 1 && isDomain(parts[0])) parts.shift();
  return name.length <= MAX_NAME_LENGTH && parts.every((part) => PATH_COMPONENT.test(part));
}
