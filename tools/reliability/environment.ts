// The stand-ins one suite run uses: Azurite, a local cluster tuned for fast emulated builds,
// a cluster user for the task (the only user that gets faults) and the namespace that every run shares.
import { startAzurite, type AzuriteBlob } from '../azurite';
import { LocalCluster } from '../local-cluster/index';
import { DEV_BLOB_HOST, STAND_IN_REGISTRY } from '../stand-ins';

export const TASK_USER = 'reliability-task';
export const NAMESPACE = 'reliability';

export interface SuiteEnvironment {
  azurite: AzuriteBlob;
  cluster: LocalCluster;
  /** The task user's bearer token, a secret the output must never show. */
  taskToken: string;
  namespace: string;
  stop(): Promise<void>;
}

export async function startEnvironment(): Promise<SuiteEnvironment> {
  const azurite = await startAzurite();
  let cluster: LocalCluster | undefined;
  try {
    cluster = await LocalCluster.start({
      kubelet: {
        resolveBlobService: (host: string) => (host === DEV_BLOB_HOST ? azurite.blobEndpoint : undefined),
        registryCredentials: {
          [STAND_IN_REGISTRY.host]: { username: STAND_IN_REGISTRY.username, password: STAND_IN_REGISTRY.password },
        },
        stepDelayMs: 5,
        // A build timeout of one minute ends a pod after 0.6 s, and `sleep 3600` lasts 36 s.
        deadlineScale: 0.01,
        sleepScale: 0.01,
        // A 2 GiB node disk: a RUN step that writes 1.9 GB leaves less than the kubelet's default
        // eviction threshold (10 %) free, and the kubelet evicts the pod.
        nodeFs: { capacity: '2Gi' },
      },
      // Short watches and a short change history make the task resume watches and re-list often.
      watchTimeoutSeconds: 5,
      bookmarkIntervalMs: 1000,
      watchHistorySize: 200,
    });
    cluster.createNamespace(NAMESPACE);
    const taskToken = cluster.addUser(TASK_USER, [{ verbs: ['*'], resources: ['*'] }]);
    const started = cluster;
    return {
      azurite, cluster, taskToken, namespace: NAMESPACE,
      stop: async () => {
        await started.stop();
        await azurite.stop();
      },
    };
  } catch (error) {
    await cluster?.stop();
    await azurite.stop();
    throw error;
  }
}
