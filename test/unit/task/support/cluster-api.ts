// A ClusterApi stand-in built from the methods a test gives; any other method fails the test.
import type { ClusterApi } from '../../../../tasks/KanikoBuildV1/src/kubernetes/client';

export function clusterApiWith(methods: Partial<ClusterApi>): ClusterApi {
  const unused = (name: string) => (): never => {
    throw new Error(`the code under test called ClusterApi.${name}, which this test does not expect`);
  };
  return {
    server: 'https://127.0.0.1:6443',
    serverVersion: unused('serverVersion'),
    createSecret: unused('createSecret'),
    deleteSecret: unused('deleteSecret'),
    createPod: unused('createPod'),
    readPod: unused('readPod'),
    deletePod: unused('deletePod'),
    listPodEvents: unused('listPodEvents'),
    readServiceAccount: unused('readServiceAccount'),
    createNamespace: unused('createNamespace'),
    deleteNamespace: unused('deleteNamespace'),
    reviewAccess: unused('reviewAccess'),
    watchPod: unused('watchPod'),
    attachStdin: unused('attachStdin'),
    streamLog: unused('streamLog'),
    ...methods,
  };
}
