// The local stand-ins that `npm start` and the integration tests share: Azurite for Blob
// Storage and the local cluster, whose kaniko emulation reads blobs from that Azurite and
// accepts one registry account.
import type { AzuriteBlob } from './azurite';
import { LocalCluster, type LocalClusterOptions } from './local-cluster/index';
import type { KubeletOptions } from './local-cluster/kubelet/index';
import type { EndpointSpec } from './runner';

/** Blob host of Azurite's development account as the task writes it in kaniko's context URL. */
export const DEV_BLOB_HOST = 'devstoreaccount1.blob.core.windows.net';

/**
 * The registry the local cluster's kaniko emulation pushes to. The `.test` top-level domain
 * is reserved (RFC 2606), so the name can never reach a real host.
 */
export const STAND_IN_REGISTRY = {
  host: 'registry.stand-in.test',
  username: 'builder',
  password: 'stand-in-registry-password',
};

/**
 * How long a namespace created through the API lacks its `default` service account. A real
 * service account controller needs a moment too, and the task must wait for it.
 */
const SERVICE_ACCOUNT_DELAY_MS = 500;

/** Kubelet settings that a test may change; the blob DNS view and the registry accounts stay those of the stand-ins. */
export type StandInNodeOptions = Omit<KubeletOptions, 'resolveBlobService' | 'registryCredentials'>;

/**
 * Starts the local cluster with its blob DNS view pointing at `azurite`. `options` replace the
 * API server's defaults, and `node` replaces the kubelet's, such as node labels and taints.
 */
export function startLocalCluster(
  azurite: AzuriteBlob, options: Omit<LocalClusterOptions, 'kubelet' | 'podLifecycle'> = {}, node: StandInNodeOptions = {},
): Promise<LocalCluster> {
  return LocalCluster.start({
    serviceAccountDelayMs: SERVICE_ACCOUNT_DELAY_MS,
    ...options,
    kubelet: {
      ...node,
      resolveBlobService: (host: string) => (host === DEV_BLOB_HOST ? azurite.blobEndpoint : undefined),
      registryCredentials: {
        [STAND_IN_REGISTRY.host]: { username: STAND_IN_REGISTRY.username, password: STAND_IN_REGISTRY.password },
      },
    },
  });
}

/**
 * Returns the service connections of a run against the stand-ins: a Kubeconfig connection to
 * `cluster` and a Docker Registry connection to the stand-in registry, under the given ids.
 */
export function standInEndpoints(cluster: LocalCluster, ids: { cluster: string; registry: string }): Record<string, EndpointSpec> {
  return {
    [ids.cluster]: {
      url: cluster.url, scheme: 'Kubeconfig',
      parameters: { kubeconfig: cluster.kubeconfig() }, data: { authorizationType: 'Kubeconfig' },
    },
    [ids.registry]: {
      url: `https://${STAND_IN_REGISTRY.host}`, scheme: 'UsernamePassword',
      parameters: { registry: `https://${STAND_IN_REGISTRY.host}`, username: STAND_IN_REGISTRY.username, password: STAND_IN_REGISTRY.password },
    },
  };
}
