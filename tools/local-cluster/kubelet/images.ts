// Image pulls on the emulated node. The container runtime can only pull kaniko executor
// images and curl images, because the emulation can run no other program. Every other image
// fails the way containerd reports a missing image.
import type { CurlVersion } from './curl/args';
import { CURL_IMAGE_BYTES, CURL_IMAGE_ENV, lookUpCurlImage } from './curl/image';
import { lookUpExecutorImage, type KanikoImage } from './executor/image-version';
import { BadReferenceError, parseReference, repositoryName, type ImageReference } from './executor/reference';

/** An image that the emulated node can run. */
export type NodeImage = { kind: 'kaniko'; image: KanikoImage } | { kind: 'curl'; version?: CurlVersion };

export type PullResult =
  | { ok: true; sizeBytes: number }
  | { ok: false; reason: 'ErrImagePull' | 'InvalidImageName'; message: string };

/**
 * Environment of kaniko's executor images (osscontainertools/kaniko deploy/Dockerfile),
 * which the container runtime puts under the pod's own variables.
 */
export const EXECUTOR_IMAGE_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/bin:/kaniko',
  HOME: '/root',
  USER: 'root',
  SSL_CERT_DIR: '/kaniko/ssl/certs',
  DOCKER_CONFIG: '/kaniko/.docker/',
  DOCKER_CREDENTIAL_GCR_CONFIG: '/kaniko/.config/gcloud/docker_credential_gcr_config.json',
};

/** Size reported for a pulled executor image; an estimate of the real images' size. */
const EXECUTOR_IMAGE_BYTES = 48_213_504;

/** Returns what an image runs, or undefined when the emulated node cannot run it. */
export function identifyImage(image: string): NodeImage | undefined {
  const reference = parseOrUndefined(image);
  const curl = reference ? lookUpCurlImage(reference) : undefined;
  if (curl?.kind === 'curl') return { kind: 'curl', version: curl.version };
  const lookup = lookUpExecutorImage(image);
  return lookup.kind === 'kaniko' ? { kind: 'kaniko', image: lookup.image } : undefined;
}

/** Returns the environment that an image sets, which the pod's own variables override. */
export function imageEnvironment(image: NodeImage | undefined): Readonly<Record<string, string>> {
  return image?.kind === 'curl' ? CURL_IMAGE_ENV : EXECUTOR_IMAGE_ENV;
}

/** Pulls an image, returning containerd's error message when it cannot. */
export function pullImage(image: string): PullResult {
  const reference = parseOrUndefined(image);
  const curl = reference ? lookUpCurlImage(reference) : undefined;
  if (curl?.kind === 'curl') return { ok: true, sizeBytes: CURL_IMAGE_BYTES };
  if (reference && curl?.kind === 'not-found') return notFound(`${containerdName(reference)}:${reference.tag}`);
  const lookup = lookUpExecutorImage(image);
  switch (lookup.kind) {
    case 'kaniko':
      return { ok: true, sizeBytes: EXECUTOR_IMAGE_BYTES };
    case 'invalid':
      return {
        ok: false,
        reason: 'InvalidImageName',
        message: `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`,
      };
    case 'not-found':
      return notFound(lookup.fullName);
  }
}

function notFound(fullName: string): PullResult {
  return {
    ok: false,
    reason: 'ErrImagePull',
    message:
      `rpc error: code = NotFound desc = failed to pull and unpack image "${fullName}": ` +
      `failed to resolve reference "${fullName}": ${fullName}: not found`,
  };
}

function parseOrUndefined(image: string): ImageReference | undefined {
  try {
    return parseReference(image);
  } catch (error) {
    if (error instanceof BadReferenceError) return undefined;
    throw error;
  }
}

/** Returns the repository with Docker Hub named `docker.io`, as containerd does, where go-containerregistry writes `index.docker.io`. */
function containerdName(reference: ImageReference): string {
  return repositoryName(reference).replace(/^index\.docker\.io\//, 'docker.io/');
}

/** Formats a duration the way Go's time.Duration prints it, such as `812ms` or `1.5s`. */
export function formatGoDuration(milliseconds: number): string {
  if (milliseconds < 1000) return `${Math.round(milliseconds)}ms`;
  return `${Number((milliseconds / 1000).toFixed(3))}s`;
}
