// The release of the kaniko executor image, where its name shows it: a release tag of one of the
// osscontainertools fork's published images.

/** Repositories where the osscontainertools fork publishes its executor (its README). */
const FORK_REPOSITORIES = new Set([
  'ghcr.io/osscontainertools/kaniko', 'martizih/kaniko', 'docker.io/martizih/kaniko', 'index.docker.io/martizih/kaniko',
]);
/** Release tags such as `v1.28.3`, `v1.24.0-5` (rebuilds) and `v1.28.3-debug`. */
const RELEASE_TAG = /^v(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?$/;
/** The first fork release that skips unused stages by default and deprecates --skip-unused-stages. */
const SKIPS_UNUSED_STAGES_FROM: [number, number, number] = [1, 27, 0];

/** Returns the fork release of `image`, or undefined for other images, floating tags such as `latest` and digest-only references. */
export function forkRelease(image: string): [number, number, number] | undefined {
  const name = image.split('@')[0];
  const colon = name.lastIndexOf(':');
  if (colon <= name.lastIndexOf('/')) return undefined;
  if (!FORK_REPOSITORIES.has(name.slice(0, colon).toLowerCase())) return undefined;
  const match = RELEASE_TAG.exec(name.slice(colon + 1));
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/**
 * Returns whether `image` is known to skip the stages that the target does not need without
 * --skip-unused-stages: osscontainertools kaniko v1.27.0 and later. For an image whose release the
 * name does not show, such as a mirror or `latest`, it returns false.
 */
export function skipsUnusedStagesByDefault(image: string): boolean {
  const release = forkRelease(image);
  if (!release) return false;
  for (let index = 0; index < 3; index += 1) {
    if (release[index] !== SKIPS_UNUSED_STAGES_FROM[index]) return release[index] > SKIPS_UNUSED_STAGES_FROM[index];
  }
  return true;
}
