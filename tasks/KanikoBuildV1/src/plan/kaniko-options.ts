// kaniko's arguments for the options that the task's inputs set besides the build itself, and
// the environment that carries the secret build arguments.
import type { V1EnvVar } from '@kubernetes/client-node';
import type { KanikoSettings, SecretBuildArgument } from '../settings/types';

/** Returns the arguments of the kaniko options, with extraArgs last, one `--flag` or `--flag=value` each. */
export function kanikoOptionArguments(kaniko: KanikoSettings): string[] {
  const { cache } = kaniko;
  return [
    // A build that pushes nothing writes no cached layers either, so that a pull request build
    // cannot change the layers that later builds reuse.
    ...(kaniko.noPush ? ['--no-push', ...(cache ? ['--no-push-cache'] : [])] : []),
    ...(cache ? ['--cache', `--cache-repo=${cache.repository}`, ...(cache.ttl ? [`--cache-ttl=${cache.ttl}`] : [])] : []),
    ...kaniko.labels.map(({ key, value }) => `--label=${key}=${value}`),
    ...(kaniko.skipUnusedStages ? ['--skip-unused-stages'] : []),
    ...(kaniko.pushRetry > 0 ? [`--push-retry=${kaniko.pushRetry}`] : []),
    ...kaniko.registryMirrors.map((mirror) => `--registry-mirror=${mirror}`),
    ...kaniko.insecureRegistries.map((host) => `--insecure-registry=${host}`),
    ...kaniko.extraArgs,
  ];
}

/**
 * Returns the variables that give kaniko the secret build arguments from the Secret `secretName`,
 * one key per argument. kaniko reads a `--build-arg=NAME` without a value from its variable NAME.
 */
export function secretBuildArgumentEnvironment(secretBuildArguments: SecretBuildArgument[], secretName: string): V1EnvVar[] {
  return secretBuildArguments.map(({ name }) => ({ name, valueFrom: { secretKeyRef: { name: secretName, key: name } } }));
}
