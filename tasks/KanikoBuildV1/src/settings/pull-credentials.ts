// Checks, before anything is created, that kaniko will have credentials for every private
// registry it pulls from. The push registry always has them, because its connection gives them.
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

export interface PullCredentialInputs {
  images: PulledImage[];
  /** The push registry and the base image registries. */
  registries: RegistrySettings[];
  /** Hosts that allow anonymous pull, from the anonymousPullRegistries input. */
  anonymousPullRegistries: ReadonlySet<string>;
  /** The Dockerfile's path, for messages. */
  dockerfile: string;
}

/**
 * Adds a problem for every pulled image on a private registry that no registry in `registries`
 * covers, unless the registry is listed as allowing anonymous pull.
 */
export function checkPullCredentials(inputs: PullCredentialInputs, problems: Problems): PullCredentialCheck {
  const anonymousPull = inputs.anonymousPullRegistries;
  const covered = new Set(inputs.registries.map((registry) => registry.host));
  const anonymous = new Map<string, string>();
  const reported = new Set<string>();
  for (const image of inputs.images) {
    const registry = imageRegistry(image.reference);
    if (covered.has(registry)) continue;
    if (!anonymousPull.has(registry) && PRIVATE_REGISTRY.some((pattern) => pattern.test(registry))) {
      if (!reported.has(registry)) problems.add(loc('PullRegistryWithoutCredentials', inputs.dockerfile, image.line, image.reference, registry));
      reported.add(registry);
    } else if (!anonymous.has(registry)) {
      anonymous.set(registry, image.reference);
    }
  }
  return { anonymous: [...anonymous].map(([registry, image]) => ({ registry, image })) };
}

const REGISTRY_HOST = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$/i;

/** Parses the anonymousPullRegistries input: hosts separated by commas or line breaks, with or without `https://`. */
export function parseAnonymousPullRegistries(input: string, problems: Problems): Set<string> {
  const hosts = new Set<string>();
  for (const entry of input.split(/[,\r\n]+/).map((text) => text.trim()).filter(Boolean)) {
    const host = entry.replace(/^https?:\/\//i, '').replace(/\/+$/, '');
    if (REGISTRY_HOST.test(host)) hosts.add(host.toLowerCase());
    else problems.add(loc('AnonymousPullRegistryInvalid', entry));
  }
  return hosts;
}
