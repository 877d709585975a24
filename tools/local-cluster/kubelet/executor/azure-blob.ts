// kaniko's Azure Blob Storage build context (osscontainertools/kaniko
// pkg/buildcontext/azureblob.go): the blob is downloaded with the storage account key from
// AZURE_STORAGE_ACCESS_KEY, through @azure/storage-blob against the Blob endpoint that the
// in-cluster DNS view returns for the account's host.
import { STATUS_CODES } from 'node:http';
import { BlobServiceClient, RestError, StorageSharedKeyCredential } from '@azure/storage-blob';

/** kaniko's test for an Azure Blob URL; like kaniko's regular expressions it is not anchored. */
const AZURE_BLOB_URL = [
  /https:\/\/(.+?)\.blob\.core\.windows\.net\/(.+)/,
  /https:\/\/(.+?)\.blob\.core\.chinacloudapi\.cn\/(.+)/,
  /https:\/\/(.+?)\.blob\.core\.cloudapi\.de\/(.+)/,
  /https:\/\/(.+?)\.blob\.core\.usgovcloudapi\.net\/(.+)/,
];

/** Reason phrases that Blob Storage sends with its common error codes. */
const STORAGE_REASONS: Record<string, string> = {
  BlobNotFound: 'The specified blob does not exist.',
  ContainerNotFound: 'The specified container does not exist.',
  AuthenticationFailed:
    'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.',
  AuthorizationFailure: 'This request is not authorized to perform this operation.',
};

export function isAzureBlobUrl(context: string): boolean {
  return AZURE_BLOB_URL.some((pattern) => pattern.test(context));
}

export interface AzureBlobDownload {
  context: string;
  env: Readonly<Record<string, string>>;
  resolveBlobService(host: string): string | undefined;
  /** Whether this kaniko release appends the container and blob to the blob URL again. */
  doublePath: boolean;
  signal: AbortSignal;
}

/** Downloads the blob; throws with the message kaniko's Go SDK call would give. */
export async function downloadAzureBlob(request: AzureBlobDownload): Promise<Buffer> {
  const accountKey = request.env.AZURE_STORAGE_ACCESS_KEY ?? '';
  if (accountKey.length === 0) throw new Error('AZURE_STORAGE_ACCESS_KEY environment variable is not set');

  const url = new URL(request.context);
  const host = url.host;
  const [container, ...blobParts] = url.pathname.replace(/^\//, '').split('/');
  const containerName = decodeURIComponent(container);
  const blobName = decodeURIComponent(blobParts.join('/'));
  const accountName = host.split('.')[0];
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(accountKey) || accountKey.length % 4 !== 0) {
    throw new Error('decode account key: illegal base64 data at input byte 0');
  }

  // The doubled path of the affected releases: the service URL already ends in /CONTAINER/BLOB.
  const servicePath = request.doublePath ? url.pathname : '';
  const publicUrl = `https://${host}${servicePath}/${container}/${blobParts.join('/')}`;
  const endpoint = request.resolveBlobService(host);
  if (!endpoint) throw new Error(`Head ${JSON.stringify(publicUrl)}: dial tcp: lookup ${url.hostname}: no such host`);

  const credential = new StorageSharedKeyCredential(accountName, accountKey);
  const service = new BlobServiceClient(`${endpoint}${servicePath}`, credential, {
    retryOptions: { maxTries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 1000 },
    keepAliveOptions: { enable: false },
  });
  const blob = service.getContainerClient(containerName).getBlobClient(blobName);
  try {
    return await blob.downloadToBuffer(0, undefined, { abortSignal: request.signal });
  } catch (error) {
    if (request.signal.aborted) throw error;
    throw new Error(describeStorageError(error, publicUrl), { cause: error });
  }
}

/** Formats a failed request the way the Go SDK's azcore.ResponseError prints itself. */
function describeStorageError(error: unknown, publicUrl: string): string {
  if (!(error instanceof RestError) || error.statusCode === undefined) {
    const code = (error as { code?: string }).code;
    const reason = code === 'ECONNREFUSED' ? 'connect: connection refused' : (error as Error).message;
    return `Head ${JSON.stringify(publicUrl)}: dial tcp: ${reason}`;
  }
  const separator = '-'.repeat(80);
  const status = error.statusCode;
  const errorCode = error.code ?? error.response?.headers.get('x-ms-error-code');
  const reason = (errorCode && STORAGE_REASONS[errorCode]) ?? STATUS_CODES[status] ?? '';
  return [
    `HEAD ${publicUrl}`,
    separator,
    `RESPONSE ${status}: ${status} ${reason}`,
    errorCode ? `ERROR CODE: ${errorCode}` : 'ERROR CODE UNAVAILABLE',
    separator,
    'Response contained no body',
    separator,
  ].join('\n');
}
