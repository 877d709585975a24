// Checks, before anything is created, that kaniko will have credentials for every registry it
// pushes to and for every private registry it pulls from.
import { loc } from '../messages';
import type { PulledImage } from './dockerfile';
import { imageRegistry } from './image';
import type { Problems } from './problems';
import type { RegistrySettings } from './types';

/**
 * Registries that never serve an image without credentials: Azure Container Registry (anonymous
 * pull is an opt-in setting, off by default; Microsoft Learn, "Make your container registry
 * content publicly available") and Amazon ECR private registries.
 */
const PRIVATE_REGISTRY = [
  /^[a-z0-9-]+\.azurecr\.(io|cn|us|de)$/,
  /^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/,
];

export interface PullCredentialCheck {
  /** Registries that kaniko pulls from without credentials, each with the first image it pulls there. */
  anonymous: { registry: string; image: string }[];
}

/**
 * Adds a problem for every pulled image on a private registry that no registry in `registries`
 * covers. `dockerfile` names the file in messages.
 */
export function checkPullCredentials(
  images: PulledImage[], registries: RegistrySettings[], dockerfile: string, problems: Problems,
): PullCredentialCheck {
  const covered = new Set(registries.map((registry) => registry.host));
  const anonymous = new Map<string, string>();
  const reported = new Set<string>();
  for (const image of images) {
    const registry = imageRegistry(image.reference);
    if (covered.has(registry)) continue;
    if (PRIVATE_REGISTRY.some((pattern) => pattern.test(registry))) {
      if (!reported.has(registry)) problems.add(loc('PullRegistryWithoutCredentials', dockerfile, image.line, image.reference, registry));
      reported.add(registry);
    } else if (!anonymous.has(registry)) {
      anonymous.set(registry, image.reference);
    }
  }
  return { anonymous: [...anonymous].map(([registry, image]) => ({ registry, image })) };
}
