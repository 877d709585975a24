// The storage account that carries the build context from the agent to the pod.
import { loc } from '../messages';
import type { Problems } from './problems';
import type { StorageSettings } from './types';

// Naming rules from Microsoft's "Naming and referencing containers, blobs, and metadata" and
// storage account naming documentation.
const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;
const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9](?:-?[a-z0-9])*$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Blob host suffixes that kaniko reads through the Azure SDK (kaniko's pkg/util/azureblob). */
const KANIKO_BLOB_SUFFIXES = ['core.windows.net', 'core.chinacloudapi.cn', 'core.cloudapi.de', 'core.usgovcloudapi.net'];
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface StorageInputs {
  account: string;
  container: string;
  accessKey: string;
  endpoint: string;
}

/** Validates the storage inputs and works out where the agent uploads and where kaniko reads. */
export function parseStorage(inputs: StorageInputs, problems: Problems): StorageSettings | undefined {
  const start = problems.count;
  if (!ACCOUNT_NAME.test(inputs.account)) problems.add(loc('StorageAccountInvalid', inputs.account || '(empty)'));
  if (!CONTAINER_NAME.test(inputs.container)) problems.add(loc('StorageContainerInvalid', inputs.container || '(empty)'));
  if (!inputs.accessKey) {
    problems.add(loc('StorageKeyMissing'));
  } else if (!BASE64.test(inputs.accessKey) || inputs.accessKey.length % 4 !== 0) {
    // The value is a secret: the message names the input but never shows the value.
    problems.add(loc('StorageKeyInvalid'));
  }
  const uploadEndpoint = parseEndpoint(inputs, problems);
  if (problems.count > start || !uploadEndpoint) return undefined;
  return {
    account: inputs.account,
    container: inputs.container,
    accessKey: inputs.accessKey,
    uploadEndpoint,
    kanikoEndpoint: kanikoEndpoint(inputs.account, uploadEndpoint),
  };
}

function parseEndpoint(inputs: StorageInputs, problems: Problems): string | undefined {
  if (!inputs.endpoint) return `https://${inputs.account}.blob.core.windows.net`;
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

/** kaniko reads only `https://ACCOUNT.blob.<known suffix>`; other endpoints map to the public cloud name. */
function kanikoEndpoint(account: string, uploadEndpoint: string): string {
  const host = new URL(uploadEndpoint).hostname;
  const suffix = KANIKO_BLOB_SUFFIXES.find((known) => host === `${account}.blob.${known}`);
  return `https://${account}.blob.${suffix ?? KANIKO_BLOB_SUFFIXES[0]}`;
}
