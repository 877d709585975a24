// The environment that carries the secret build arguments into the kaniko container.
import type { V1EnvVar } from '@kubernetes/client-node';
import type { SecretBuildArgument } from '../settings/types';

/**
 * Returns the variables that give kaniko the secret build arguments from the Secret `secretName`,
 * one key per argument. kaniko reads a `--build-arg=NAME` without a value from its variable NAME.
 */
export function secretBuildArgumentEnvironment(secretBuildArguments: SecretBuildArgument[], secretName: string): V1EnvVar[] {
  return secretBuildArguments.map(({ name }) => ({ name, valueFrom: { secretKeyRef: { name: secretName, key: name } } }));
}
