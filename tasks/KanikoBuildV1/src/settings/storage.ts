// The storage account that carries the build context from the agent to the pod.
import { loc } from '../messages';
import { parseArmEndpoint } from './aks';
import type { Problems } from './problems';
import type { RawEndpoint, RawVariables } from './raw';
import type { ArmConnection, StorageSettings } from './types';

// Naming rules from Microsoft's "Naming and referencing containers, blobs, and metadata" and
// storage account naming documentation.
const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;
const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9](?:-?[a-z0-9])*$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Blob host suffixes that kaniko reads through the Azure SDK (kaniko's pkg/util/azureblob). */
const KANIKO_BLOB_SUFFIXES = ['core.windows.net', 'core.chinacloudapi.cn', 'core.cloudapi.de', 'core.usgovcloudapi.net'];
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
/**
 * Blob endpoint suffixes by the `environment` data of an Azure Resource Manager connection: the
 * suffixes that kaniko reads from (above), one per cloud.
 * NOTE: the mapping of environment names to suffixes was not checked against the agent's data.
 */
const CLOUD_BLOB_SUFFIXES: Record<string, string> = {
  azurecloud: 'core.windows.net',
  azurechinacloud: 'core.chinacloudapi.cn',
  azureusgovernment: 'core.usgovcloudapi.net',
  azuregermancloud: 'core.cloudapi.de',
};
/**
 * The Entra ID scope of Azure Storage, the default audience of @azure/storage-blob 12.32.0
 * (StoragePipelineOptions.audience). NOTE: the task uses it in every cloud, because the
 * connection data read here has no storage audience. Sovereign clouds are untested.
 */
export const STORAGE_TOKEN_SCOPE = 'https://storage.azure.com/.default';

export interface StorageInputs {
  account: string;
  container: string;
  accessKey: string;
  endpoint: string;
  /** The id of the storageConnection input; empty when the account key is used. */
  connectionId: string;
  /** The connection that storageConnection names, when the agent passed it. */
  connection?: RawEndpoint;
  variables: RawVariables;
}

/** Validates the storage inputs and works out where the agent uploads and where kaniko reads. */
export function parseStorage(inputs: StorageInputs, problems: Problems): StorageSettings | undefined {
  const start = problems.count;
  if (!ACCOUNT_NAME.test(inputs.account)) problems.add(loc('StorageAccountInvalid', inputs.account || '(empty)'));
  if (!CONTAINER_NAME.test(inputs.container)) problems.add(loc('StorageContainerInvalid', inputs.container || '(empty)'));
  const connection = parseCredentials(inputs, problems);
  const uploadEndpoint = parseEndpoint(inputs, connection, problems);
  if (problems.count > start || !uploadEndpoint) return undefined;
  return {
    account: inputs.account,
    container: inputs.container,
    accessKey: connection ? '' : inputs.accessKey,
    connection,
    uploadEndpoint,
    kanikoEndpoint: kanikoEndpoint(inputs.account, uploadEndpoint),
  };
}

/**
 * Checks that exactly one of storageAccessKey and storageConnection is given. Returns the
 * parsed connection, or undefined for the account key and on a problem.
 */
function parseCredentials(inputs: StorageInputs, problems: Problems): ArmConnection | undefined {
  if (inputs.accessKey && inputs.connectionId) {
    problems.add(loc('StorageCredentialsBoth'));
    return undefined;
  }
  if (inputs.connectionId) {
    if (!inputs.connection) {
      problems.add(loc('ConnectionMissing', 'storageConnection'));
      return undefined;
    }
    return parseArmEndpoint(inputs.connection, inputs.variables, problems);
  }
  if (!inputs.accessKey) {
    problems.add(loc('StorageCredentialsMissing'));
  } else if (!BASE64.test(inputs.accessKey) || inputs.accessKey.length % 4 !== 0) {
    // The value is a secret: the message names the input but never shows the value.
    problems.add(loc('StorageKeyInvalid'));
  }
  return undefined;
}

function parseEndpoint(inputs: StorageInputs, connection: ArmConnection | undefined, problems: Problems): string | undefined {
  if (!inputs.endpoint) return defaultEndpoint(inputs, connection, problems);
  let url: URL;
  try {
    url = new URL(inputs.endpoint);
  } catch {
    problems.add(loc('StorageEndpointInvalid', inputs.endpoint));
    return undefined;
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    problems.add(loc('StorageEndpointNotHttps', inputs.endpoint));
    return undefined;
  }
  if (url.search || url.hash || url.username) {
    problems.add(loc('StorageEndpointInvalid', inputs.endpoint));
    return undefined;
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Returns the account's blob endpoint in the cloud of the storage connection, or in the public cloud. */
function defaultEndpoint(inputs: StorageInputs, connection: ArmConnection | undefined, problems: Problems): string | undefined {
  const environment = connection ? inputs.connection?.data.environment ?? '' : '';
  const suffix = environment ? CLOUD_BLOB_SUFFIXES[environment.toLowerCase()] : KANIKO_BLOB_SUFFIXES[0];
  if (!suffix) {
    problems.add(loc('StorageCloudUnknown', environment));
    return undefined;
  }
  return `https://${inputs.account}.blob.${suffix}`;
}

/** kaniko reads only `https://ACCOUNT.blob.<known suffix>`; other endpoints map to the public cloud name. */
function kanikoEndpoint(account: string, uploadEndpoint: string): string {
  const host = new URL(uploadEndpoint).hostname;
  const suffix = KANIKO_BLOB_SUFFIXES.find((known) => host === `${account}.blob.${known}`);
  return `https://${account}.blob.${suffix ?? KANIKO_BLOB_SUFFIXES[0]}`;
}
