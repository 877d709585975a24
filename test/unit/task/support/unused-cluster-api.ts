// A ClusterApi whose every method fails the test, for fakes that implement only the calls
// the code under test may make.
import type { ClusterApi } from '../../../../tasks/KanikoBuildV1/src/kubernetes/client';

/** Returns a ClusterApi whose methods throw `Error(message)`; spread it and override the expected calls. */
export function unusedClusterApi(message: string): ClusterApi {
  const unused = (): never => {
    throw new Error(message);
  };
  return {
    server: 'https://127.0.0.1:6443', serverVersion: unused,
    createSecret: unused, readSecret: unused, patchSecret: unused, deleteSecret: unused, listSecrets: unused,
    createPod: unused, readPod: unused, deletePod: unused, listPods: unused, listNamespaces: unused, deleteNamespace: unused,
    listPodEvents: unused, readServiceAccount: unused, watchPod: unused, attachStdin: unused, streamLog: unused,
  };
}
