// The kaniko executor images that exist, and how their behaviour differs by release.
// Google's project (gcr.io/kaniko-project/executor) ended with v1.24.0 when Google archived
// it in June 2025. The osscontainertools fork publishes ghcr.io/osscontainertools/kaniko and
// martizih/kaniko on Docker Hub from v1.24.0 on.
import { BadReferenceError, parseReference, repositoryName } from './reference';

export type KanikoProject = 'google' | 'osscontainertools';
type Version = readonly [number, number, number];

export interface KanikoImage {
  project: KanikoProject;
  /** Release version; undefined for `latest`, `debug`, `slim` and digest-only references. */
  version?: Version;
}

const REPOSITORIES: Record<string, KanikoProject> = {
  'gcr.io/kaniko-project/executor': 'google',
  'ghcr.io/osscontainertools/kaniko': 'osscontainertools',
  'index.docker.io/martizih/kaniko': 'osscontainertools',
};
const GOOGLE_LAST_RELEASE: Version = [1, 24, 0];
const FORK_FIRST_RELEASE: Version = [1, 24, 0];
// NOTE: the newest fork release that this emulation lists; add later releases here when the task's default moves on.
const FORK_NEWEST_RELEASE: Version = [1, 28, 3];
const FLOATING_TAGS = ['latest', 'debug', 'slim'];
/** Release tags such as `v1.28.3`, `v1.24.0-5` (fork rebuilds) and `v1.28.3-debug`. */
const RELEASE_TAG = /^v(\d+)\.(\d+)\.(\d+)(?:-\d+)?(?:-(?:debug|slim))?$/;

export type ImageLookup =
  | { kind: 'kaniko'; image: KanikoImage }
  | { kind: 'not-found'; fullName: string }
  | { kind: 'invalid'; message: string };

/**
 * Looks an image up in the emulated registries. Only kaniko executor images exist; a tag
 * outside a project's releases does not. Digests cannot be checked and are accepted.
 */
export function lookUpExecutorImage(image: string): ImageLookup {
  let reference;
  try {
    reference = parseReference(image);
  } catch (error) {
    if (error instanceof BadReferenceError) return { kind: 'invalid', message: error.message };
    throw error;
  }
  const fullName = `${containerdName(repositoryName(reference))}:${reference.tag}`;
  const project = REPOSITORIES[repositoryName(reference)];
  if (!project) return { kind: 'not-found', fullName };
  const explicitTag = /:[^/]+$/.test(image.split('@')[0]);
  if (reference.digest && !explicitTag) return { kind: 'kaniko', image: { project } };
  if (FLOATING_TAGS.includes(reference.tag)) {
    return { kind: 'kaniko', image: { project, version: project === 'google' ? GOOGLE_LAST_RELEASE : undefined } };
  }
  const match = RELEASE_TAG.exec(reference.tag);
  if (!match) return { kind: 'not-found', fullName };
  const version: Version = [Number(match[1]), Number(match[2]), Number(match[3])];
  const exists = project === 'google'
    ? compareVersions(version, GOOGLE_LAST_RELEASE) <= 0
    : compareVersions(version, FORK_FIRST_RELEASE) >= 0 && compareVersions(version, FORK_NEWEST_RELEASE) <= 0;
  return exists ? { kind: 'kaniko', image: { project, version } } : { kind: 'not-found', fullName };
}

/** Rewrites Docker Hub to containerd's `docker.io`, which go-containerregistry names `index.docker.io`. */
function containerdName(name: string): string {
  return name.replace(/^index\.docker\.io\//, 'docker.io/');
}

function compareVersions(left: Version, right: Version): number {
  for (let index = 0; index < 3; index += 1) {
    if (left[index] !== right[index]) return left[index] - right[index];
  }
  return 0;
}

function isBefore(image: KanikoImage, version: Version): boolean {
  return image.version !== undefined && compareVersions(image.version, version) < 0;
}

/**
 * Returns whether the release builds the Azure Blob client from the whole blob URL, so the SDK
 * appends the container and blob a second time and the download fails with 404 BlobNotFound.
 * Google's v1.20.0 to v1.24.0 do this (digest-only references count as v1.24.0); the fork
 * fixed it in v1.25.4.
 */
export function doublesAzureBlobPath(image: KanikoImage): boolean {
  if (image.project === 'google') return image.version === undefined || !isBefore(image, [1, 20, 0]);
  return isBefore(image, [1, 25, 4]);
}

/**
 * Returns whether a failed push-permission check prints the fork's v1.26.2 form (a warning line, then
 * `error checking push permissions: ...`) instead of the older single message.
 */
export function usesSplitPushCheckMessage(image: KanikoImage): boolean {
  return image.project === 'osscontainertools' && !isBefore(image, [1, 26, 2]);
}

/** Returns whether `--skip-unused-stages` is deprecated, which it is from the fork's v1.27.0 on. */
export function deprecatesSkipUnusedStages(image: KanikoImage): boolean {
  return image.project === 'osscontainertools' && !isBefore(image, [1, 27, 0]);
}
