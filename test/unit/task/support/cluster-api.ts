// A ClusterApi stand-in built from the methods a test gives; any other method fails the test.
import type { ClusterApi } from '../../../../tasks/KanikoBuildV1/src/kubernetes/client';
import { unusedClusterApi } from './unused-cluster-api';

export function clusterApiWith(methods: Partial<ClusterApi>): ClusterApi {
  return { ...unusedClusterApi('the code under test called a method that this test does not expect'), ...methods };
}
