// Image pulls on the emulated node. The container runtime can only pull kaniko executor
// images, because the emulation can run no other image. Every other image fails the way
// containerd reports a missing image.
import { lookUpExecutorImage } from './executor/image-version';

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

/** Pulls an image, returning containerd's error message when it cannot. */
export function pullImage(image: string): PullResult {
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
      return {
        ok: false,
        reason: 'ErrImagePull',
        message:
          `rpc error: code = NotFound desc = failed to pull and unpack image "${lookup.fullName}": ` +
          `failed to resolve reference "${lookup.fullName}": ${lookup.fullName}: not found`,
      };
  }
}

/** Formats a duration the way Go's time.Duration prints it, such as `812ms` or `1.5s`. */
export function formatGoDuration(milliseconds: number): string {
  if (milliseconds < 1000) return `${Math.round(milliseconds)}ms`;
  return `${Number((milliseconds / 1000).toFixed(3))}s`;
}
