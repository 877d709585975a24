// Read-only shared access signatures for one context blob, so that the cluster can read the
// archive without the storage account key.
import {
  BlobSASPermissions, generateBlobSASQueryParameters, SASProtocol, StorageSharedKeyCredential,
} from '@azure/storage-blob';
import type { StorageSettings } from '../settings/types';

/** Allowance for clocks that run behind the agent's, subtracted from the SAS start time. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface ReadSas {
  /** The blob URL with the SAS query string: a secret. */
  url: string;
  /** The SAS signature (`sig`), a secret of its own. */
  signature: string;
  expiresOn: Date;
}

/**
 * Returns a service SAS, signed with the account key, that can only read `blobName` until
 * `expiresOn`. It allows plain HTTP only for an emulator endpoint on the loopback address.
 */
export function createReadSas(storage: StorageSettings, blobName: string, now: Date, expiresOn: Date): ReadSas {
  const endpoint = new URL(storage.uploadEndpoint);
  const parameters = generateBlobSASQueryParameters({
    containerName: storage.container,
    blobName,
    permissions: BlobSASPermissions.parse('r'),
    startsOn: new Date(now.getTime() - CLOCK_SKEW_MS),
    expiresOn,
    protocol: endpoint.protocol === 'https:' ? SASProtocol.Https : SASProtocol.HttpsAndHttp,
  }, new StorageSharedKeyCredential(storage.account, storage.accessKey));
  const url = `${storage.uploadEndpoint}/${storage.container}/${encodeURIComponent(blobName)}?${parameters.toString()}`;
  return { url, signature: parameters.signature, expiresOn };
}
