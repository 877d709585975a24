// The local stand-ins for Azure Blob Storage (Azurite) and the Kubernetes cluster (LocalCluster),
// started on first use and shared by every test of the mocha process. mochaGlobalTeardown in
// global-fixtures.ts stops them. Unit tests must not call these functions.
import { startAzurite, type AzuriteBlob } from '../../tools/azurite';
import { LocalCluster } from '../../tools/local-cluster/index';
import { registerGlobalCleanup } from './global-fixtures';

/** Blob host of Azurite's development account as the task writes it in kaniko's context URL. */
export const DEV_BLOB_HOST = 'devstoreaccount1.blob.core.windows.net';

/**
 * The registry account whose credentials the cluster's kaniko emulation compares: a push to
 * this host works only with this user name and password. A push to any other host needs some
 * credentials, but they are not compared. No host is resolved, because the emulation pushes
 * nowhere.
 */
export const STAND_IN_REGISTRY = {
  host: 'registry.stand-in.test',
  username: 'builder',
  password: 'stand-in-registry-password',
};

export interface StandIns {
  azurite: AzuriteBlob;
  cluster: LocalCluster;
}

let azuriteStart: Promise<AzuriteBlob> | undefined;
let standInsStart: Promise<StandIns> | undefined;

/** Returns the shared Azurite, starting it on the first call. */
export function sharedAzurite(): Promise<AzuriteBlob> {
  azuriteStart ??= startAzurite().then((azurite) => {
    registerGlobalCleanup('Azurite', () => azurite.stop());
    return azurite;
  });
  return azuriteStart;
}

/**
 * Returns the shared Azurite and local cluster, starting them on the first call. The cluster's
 * kaniko emulation downloads `https://devstoreaccount1.blob.core.windows.net/...` contexts from
 * Azurite on 127.0.0.1.
 */
export function sharedStandIns(): Promise<StandIns> {
  standInsStart ??= startStandIns();
  return standInsStart;
}

async function startStandIns(): Promise<StandIns> {
  const azurite = await sharedAzurite();
  const cluster = await LocalCluster.start({
    kubelet: {
      resolveBlobService: (host: string) => (host === DEV_BLOB_HOST ? azurite.blobEndpoint : undefined),
      registryCredentials: {
        [STAND_IN_REGISTRY.host]: { username: STAND_IN_REGISTRY.username, password: STAND_IN_REGISTRY.password },
      },
    },
  });
  registerGlobalCleanup('the local cluster', () => cluster.stop());
  return { azurite, cluster };
}
