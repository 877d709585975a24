// A ClusterApi whose every method fails the test, for fakes that implement only the calls
// the code under test may make.
import type { ClusterApi } from '../../../../tasks/KanikoBuildV1/src/kubernetes/client';

const METHODS = [
  'serverVersion', 'createSecret', 'readSecret', 'patchSecret', 'deleteSecret', 'listSecrets', 'createPod', 'dryRunPod',
  'readPod', 'deletePod', 'listPods', 'createNamespace', 'listNamespaces', 'deleteNamespace', 'listPodEvents',
  'readServiceAccount', 'reviewAccess', 'watchPod', 'attachStdin', 'streamLog',
] as const satisfies readonly (keyof ClusterApi)[];
/** Fails to compile when ClusterApi gains a method that METHODS does not list. */
const everyMethodListed: Exclude<keyof ClusterApi, (typeof METHODS)[number] | 'server'> extends never ? true : never = true;
void everyMethodListed;

/** Returns a ClusterApi whose methods throw `Error(message)` naming the method; spread it and override the expected calls. */
export function unusedClusterApi(message: string): ClusterApi {
  const methods = Object.fromEntries(METHODS.map((name) => [name, (): never => {
    throw new Error(`${message} (ClusterApi.${name})`);
  }]));
  return { server: 'https://127.0.0.1:6443', ...methods } as unknown as ClusterApi;
}
