// Read-only shared access signatures for one context blob, so that the cluster can read the
// archive without the storage account key.
import {
  BlobSASPermissions, generateBlobSASQueryParameters, SASProtocol, StorageSharedKeyCredential,
  type BlobSASSignatureValues, type UserDelegationKey,
} from '@azure/storage-blob';
import type { StorageSettings } from '../settings/types';

/** Allowance for clocks that run behind the agent's, subtracted from the SAS start time. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * The service version that user delegation SAS tokens name. Azure Storage accepts it, and
 * Azurite 3.35.0, the emulator the tests use, verifies no newer one: the default of
 * @azure/storage-blob 12.32.0, 2026-04-06, signs fields that Azurite leaves out.
 */
export const USER_DELEGATION_SAS_VERSION = '2025-07-05';

export interface ReadSas {
  /** The blob URL with the SAS query string: a secret. */
  url: string;
  /** The SAS signature (`sig`), a secret of its own. */
  signature: string;
  expiresOn: Date;
}

/**
 * Returns a SAS that can only read `blobName` until `expiresOn`: a user delegation SAS signed with
 * `delegationKey` when the settings use a storage connection, otherwise a service SAS signed with
 * the account key. It allows plain HTTP only for an emulator endpoint on the loopback address.
 */
export function createReadSas(
  storage: StorageSettings, blobName: string, now: Date, expiresOn: Date, delegationKey?: UserDelegationKey,
): ReadSas {
  const endpoint = new URL(storage.uploadEndpoint);
  const values: BlobSASSignatureValues = {
    containerName: storage.container,
    blobName,
    permissions: BlobSASPermissions.parse('r'),
    startsOn: new Date(now.getTime() - CLOCK_SKEW_MS),
    expiresOn,
    protocol: endpoint.protocol === 'https:' ? SASProtocol.Https : SASProtocol.HttpsAndHttp,
  };
  let parameters;
  if (storage.connection) {
    if (!delegationKey) throw new Error(`signing a SAS for storage connection ${storage.connection.connectionId} needs a user delegation key`);
    parameters = generateBlobSASQueryParameters({ ...values, version: USER_DELEGATION_SAS_VERSION }, delegationKey, storage.account);
  } else {
    parameters = generateBlobSASQueryParameters(values, new StorageSharedKeyCredential(storage.account, storage.accessKey));
  }
  const url = `${storage.uploadEndpoint}/${storage.container}/${encodeURIComponent(blobName)}?${parameters.toString()}`;
  return { url, signature: parameters.signature, expiresOn };
}
