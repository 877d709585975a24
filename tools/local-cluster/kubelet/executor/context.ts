// Resolves kaniko's `--context` as osscontainertools/kaniko pkg/buildcontext does. The prefix
// picks the source. An archive is downloaded, read from a file or from stdin, and unpacked into
// /kaniko/buildcontext, and a directory is read from the container's file system.
import { createHash } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { posix } from 'node:path';
import { listContextFiles, readTar, unpackContextArchive, type ContextTree } from './archive';
import { downloadAzureBlob, isAzureBlobUrl } from './azure-blob';
import { BUILD_CONTEXT_DIR, ContainerFiles } from './container-files';
import type { KanikoLogger } from './log';
import { readStdinArchive, type StdinSource } from './stdin-archive';

export interface ContextRequest {
  context: string;
  contextSubPath: string;
  env: Readonly<Record<string, string>>;
  files: ContainerFiles;
  logger: KanikoLogger;
  resolveBlobService(host: string): string | undefined;
  /** PEM certificates that the container trusts for `https://` contexts besides Node's defaults. */
  caCertificates?: string[];
  doubleAzureBlobPath: boolean;
  /** The stdin pipe of a container with `stdin: true` and no `tty`; undefined when stdin is a character device. */
  stdin?: StdinSource;
  signal: AbortSignal;
}

export interface ResolvedContext {
  /** Directory in the container that contains the context, after `--context-sub-path`. */
  root: string;
  /** Regular files and symlinks of the unpacked context, relative to its top, sorted. */
  files: string[];
  /** SHA-256 of the context's bytes, an input of the emulated image digest. */
  fingerprint: string;
  /** Bytes of the files that kaniko unpacked into /kaniko/buildcontext, or 0 for a directory context. */
  unpackedBytes: number;
}

const UNKNOWN_PREFIX =
  'unknown build context prefix provided, please use one of the following: gs://, dir://, tar://, s3://, git://, https://';

/** Resolves the context; throws with kaniko's message (without its `error resolving source context: ` prefix). */
export async function resolveContext(request: ContextRequest): Promise<ResolvedContext> {
  const { context } = request;
  if (!context.includes('://')) return directoryContext(context, request);

  const prefix = context.slice(0, context.indexOf('://') + 3);
  const rest = context.slice(prefix.length);
  switch (prefix) {
    case 'dir://':
      return directoryContext(rest, request);
    case 'tar://':
      if (rest === 'stdin') return stdinContext(request);
      return archiveContext(readMountedArchive(rest, request.files), request);
    case 'https://':
      return archiveContext(await downloadHttpsContext(request), request);
    case 'gs://':
    case 's3://':
    case 'git://':
      // NOTE: these sources need outside services, which the local cluster never contacts.
      throw new Error(`the local cluster does not emulate ${prefix} build contexts`);
    default:
      throw new Error(UNKNOWN_PREFIX);
  }
}

async function downloadHttpsContext(request: ContextRequest): Promise<Buffer> {
  if (isAzureBlobUrl(request.context)) {
    return downloadAzureBlob({
      context: request.context,
      env: request.env,
      resolveBlobService: request.resolveBlobService,
      doublePath: request.doubleAzureBlobPath,
      signal: request.signal,
    });
  }
  request.logger.info('Retrieving https tar file');
  const data = await httpsGet(request.context, request.caCertificates, request.signal);
  request.logger.info('Retrieved https tar file');
  return data;
}

/**
 * Reads the archive from stdin. Without `stdin: true` a container's stdin is /dev/null, and with
 * `tty: true` it is a terminal: both are character devices, which kaniko rejects.
 */
async function stdinContext(request: ContextRequest): Promise<ResolvedContext> {
  if (!request.stdin) throw new Error("no data found.. don't forget to add the '--interactive, -i' flag");
  request.logger.info("To simulate EOF and exit, press 'Ctrl+D'");
  const tar = await readStdinArchive(request.stdin, request.signal);
  const tree = await readTar(tar);
  request.files.addTree(BUILD_CONTEXT_DIR, tree);
  const fingerprint = createHash('sha256').update(tar).digest('hex');
  return { root: applySubPath(BUILD_CONTEXT_DIR, request), files: listContextFiles(tree), fingerprint, unpackedBytes: treeBytes(tree) };
}

function readMountedArchive(path: string, files: ContainerFiles): Buffer {
  const data = files.readFile(path);
  if (!data) throw new Error(`open ${path}: no such file or directory`);
  return data;
}

async function archiveContext(data: Buffer, request: ContextRequest): Promise<ResolvedContext> {
  const tree = await unpackContextArchive(data);
  request.files.addTree(BUILD_CONTEXT_DIR, tree);
  if (request.context.startsWith('https://') && !isAzureBlobUrl(request.context)) {
    request.logger.info('Extracted https tar file');
  }
  const fingerprint = createHash('sha256').update(data).digest('hex');
  return { root: applySubPath(BUILD_CONTEXT_DIR, request), files: listContextFiles(tree), fingerprint, unpackedBytes: treeBytes(tree) };
}

function directoryContext(directory: string, request: ContextRequest): ResolvedContext {
  const absolute = posix.resolve('/workspace', directory);
  const tree = request.files.treeUnder(absolute);
  return { root: applySubPath(absolute, request), files: listContextFiles(tree), fingerprint: fingerprintTree(tree), unpackedBytes: 0 };
}

function treeBytes(tree: ContextTree): number {
  let total = 0;
  for (const entry of tree.values()) if (entry.type === 'file') total += entry.content.length;
  return total;
}

function applySubPath(root: string, request: ContextRequest): string {
  if (request.contextSubPath === '') return root;
  const joined = posix.join(root, request.contextSubPath);
  if (!request.files.exists(joined)) throw new Error(`stat ${joined}: no such file or directory`);
  return joined;
}

function fingerprintTree(tree: ContextTree): string {
  const hash = createHash('sha256');
  for (const path of [...tree.keys()].sort()) {
    const entry = tree.get(path);
    hash.update(`${path}\0`);
    if (entry?.type === 'file') hash.update(entry.content);
    if (entry?.type === 'symlink') hash.update(`-> ${entry.target}`);
  }
  return hash.digest('hex');
}

/** Hosts that a plain `https://` context may name. Every other host fails as unresolvable. */
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

/** GETs an https URL once, without retries, as kaniko's HTTPSTar source does. */
function httpsGet(url: string, caCertificates: string[] | undefined, signal: AbortSignal): Promise<Buffer> {
  const parsed = new URL(url);
  if (!LOOPBACK_HOSTS.includes(parsed.hostname)) {
    // The local cluster never connects outside 127.0.0.1, so other names do not resolve.
    return Promise.reject(new Error(`Get ${JSON.stringify(url)}: dial tcp: lookup ${parsed.hostname}: no such host`));
  }
  return new Promise((resolve, reject) => {
    const options = caCertificates ? { ca: caCertificates, signal, agent: false as const } : { signal, agent: false as const };
    const req = httpsRequest(url, options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        if (status !== 200) {
          reject(new Error(`HTTPSTar bad status from server: ${status} ${response.statusMessage ?? ''}`.trimEnd()));
          return;
        }
        resolve(Buffer.concat(chunks));
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (signal.aborted) reject(error);
      else reject(new Error(`Get ${JSON.stringify(url)}: ${describeRequestError(error)}`, { cause: error }));
    });
    req.end();
  });
}

function describeRequestError(error: NodeJS.ErrnoException): string {
  if (error.code === 'ECONNREFUSED') return 'dial tcp: connect: connection refused';
  if (error.code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || error.code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
      error.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE') {
    return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  }
  return error.message;
}
