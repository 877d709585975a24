// The local stand-ins for Azure Blob Storage (Azurite) and the Kubernetes cluster (LocalCluster),
// started on first use and shared by every test of the mocha process. mochaGlobalTeardown in
// global-fixtures.ts stops them. Unit tests must not call these functions.
import { startAzurite, type AzuriteBlob } from '../../tools/azurite';
import type { LocalCluster } from '../../tools/local-cluster/index';
import { DEV_BLOB_HOST, STAND_IN_REGISTRY, startLocalCluster } from '../../tools/stand-ins';
import { registerGlobalCleanup } from './global-fixtures';

export { DEV_BLOB_HOST, STAND_IN_REGISTRY };

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
  const cluster = await startLocalCluster(azurite);
  registerGlobalCleanup('the local cluster', () => cluster.stop());
  return { azurite, cluster };
}
