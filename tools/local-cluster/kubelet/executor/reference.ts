// Image references parsed with the weak validation of go-containerregistry's `name` package,
// which kaniko uses for destinations and base images. Docker Hub (`index.docker.io`) is the
// default registry, `docker.io` is an alias of it, and the tag defaults to `latest`.

export const DOCKER_HUB_REGISTRY = 'index.docker.io';
const REPOSITORY_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789_-./';
const TAG_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789_-.ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export interface ImageReference {
  /** Registry host, with its port when given, such as `myregistry.azurecr.io` or `index.docker.io`. */
  registry: string;
  /** Repository path inside the registry, with `library/` added for official Docker Hub images. */
  repository: string;
  tag: string;
  digest?: string;
  /** The text the reference was parsed from. */
  original: string;
}

/** Thrown with go-containerregistry's ErrBadName message. */
export class BadReferenceError extends Error {}

/** Returns `registry/repository`, the name kaniko logs and looks credentials up by. */
export function repositoryName(reference: ImageReference): string {
  return `${reference.registry}/${reference.repository}`;
}

/** Parses a tag reference as name.NewTag does. */
export function parseTag(text: string): ImageReference {
  let base = text;
  let tag = '';
  const parts = text.split(':');
  if (parts.length > 1 && !parts[parts.length - 1].includes('/')) {
    base = parts.slice(0, -1).join(':');
    tag = parts[parts.length - 1];
    if (tag === '') throw new BadReferenceError(`${text} must specify a tag name after the colon`);
  }
  if (tag !== '') checkElement('tag', tag, TAG_CHARS, 1, 128);
  const { registry, repository } = parseRepository(base);
  return { registry, repository, tag: tag || 'latest', original: text };
}

/** Parses a tag or digest reference as name.ParseReference does. */
export function parseReference(text: string): ImageReference {
  try {
    return parseTag(text);
  } catch {
    // A digest reference fails as a tag because of its `@`, so try it as a digest next.
  }
  const parts = text.split('@');
  const digestPattern = /^sha256:[0-9a-f]{64}$/;
  if (parts.length !== 2 || !digestPattern.test(parts[1])) {
    throw new BadReferenceError(`could not parse reference: ${text}`);
  }
  try {
    const tagged = parseTag(parts[0]);
    return { ...tagged, tag: parts[0].includes(':') ? tagged.tag : 'latest', digest: parts[1], original: text };
  } catch {
    throw new BadReferenceError(`could not parse reference: ${text}`);
  }
}

function parseRepository(name: string): { registry: string; repository: string } {
  if (name.length === 0) throw new BadReferenceError('a repository name must be specified');
  const slash = name.indexOf('/');
  let registry = '';
  let repository = name;
  if (slash !== -1) {
    const first = name.slice(0, slash);
    if (first === 'localhost' || /[.:]/.test(first)) {
      registry = first;
      repository = name.slice(slash + 1);
    }
  }
  checkElement('repository', repository, REPOSITORY_CHARS, 2, 255);
  if (registry !== '' && !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:[0-9]*)?$/.test(registry)) {
    throw new BadReferenceError(`registries must be valid RFC 3986 URI authorities: ${registry}`);
  }
  if (registry === '' || registry === 'docker.io') registry = DOCKER_HUB_REGISTRY;
  if (registry === DOCKER_HUB_REGISTRY && !repository.includes('/')) repository = `library/${repository}`;
  return { registry, repository };
}

function checkElement(kind: string, element: string, allowed: string, min: number, max: number): void {
  const length = [...element].length;
  if (length < min || length > max) {
    throw new BadReferenceError(`${kind} must be between ${min} and ${max} characters in length: ${element}`);
  }
  if ([...element].some((char) => !allowed.includes(char))) {
    throw new BadReferenceError(`${kind} can only contain the characters \`${allowed}\`: ${element}`);
  }
}
