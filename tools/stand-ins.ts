// The local stand-ins that `npm start` and the integration tests share: Azurite for Blob
// Storage and the local cluster, whose kaniko emulation reads blobs from that Azurite and
// accepts one registry account.
import type { AzuriteBlob } from './azurite';
import { LocalCluster } from './local-cluster/index';

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

/** Starts the local cluster with its blob DNS view pointing at `azurite`. */
export function startLocalCluster(azurite: AzuriteBlob): Promise<LocalCluster> {
  return LocalCluster.start({
    kubelet: {
      resolveBlobService: (host: string) => (host === DEV_BLOB_HOST ? azurite.blobEndpoint : undefined),
      registryCredentials: {
        [STAND_IN_REGISTRY.host]: { username: STAND_IN_REGISTRY.username, password: STAND_IN_REGISTRY.password },
      },
    },
  });
}
