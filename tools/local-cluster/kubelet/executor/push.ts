// Emulates kaniko's DoPush (osscontainertools/kaniko pkg/executor/push.go): writes the digest
// file first, then pushes to every destination with --push-retry retries, or skips the push with
// `--no-push`. A pushed image is stored in the emulated registry with its labels.
import type { KanikoOptions } from './args';
import type { KanikoLogger } from './log';
import { parseTag, repositoryName, type ImageReference } from './reference';
import type { RegistryStore } from './registry-store';
import { sleepUnlessAborted } from './sleep';

/** The wait before kaniko's first retry of a push, doubled for each further one (util.Retry). */
const FIRST_RETRY_DELAY_MS = 1000;

export interface PushRequest {
  options: KanikoOptions;
  /** Digest of the built image, `sha256:` and 64 hex digits. */
  digest: string;
  /** The labels of the image's config. */
  labels: Record<string, string>;
  logger: KanikoLogger;
  pause: () => Promise<void>;
  /** Receives the files the push writes, keyed by path in the container. */
  writtenFiles: Map<string, Buffer>;
  store: RegistryStore;
  /** Returns the registry's error when it rejects the upload of the image's layers, such as missing credentials. */
  checkPush(reference: string): string | undefined;
  now: () => Date;
  signal: AbortSignal;
}

/** Pushes the image; throws with kaniko's message (with its `error pushing image: ` prefix). */
export async function pushImage(request: PushRequest): Promise<void> {
  const { options, digest, logger, pause } = request;
  // NOTE: kaniko PUTs the digest to an https:// digest file URL; the emulation skips that upload.
  if (options.digestFile !== '' && !options.digestFile.startsWith('https://')) {
    request.writtenFiles.set(options.digestFile, Buffer.from(digest));
  }

  const references: ImageReference[] = [];
  for (const destination of options.destinations) {
    try {
      references.push(parseTag(destination));
    } catch (error) {
      throw new Error(`error pushing image: getting tag for destination: ${(error as Error).message}`, { cause: error });
    }
  }

  if (options.noPush) {
    logger.info('Skipping push to container registry due to --no-push flag');
    await pause();
    return;
  }
  for (const reference of references) {
    logger.info(`Pushing image to ${reference.original}`);
    await pause();
    const problem = await pushWithRetries(reference, request);
    if (problem) throw new Error(`error pushing image: failed to push to destination ${reference.original}: ${problem}`);
    request.store.put(`${repositoryName(reference)}:${reference.tag}`, { digest, labels: request.labels, created: request.now() });
    logger.info(`Pushed ${repositoryName(reference)}@${digest}`);
    await pause();
  }
}

/** Pushes to one destination, retrying as kaniko's util.Retry does; returns the last error, if any. */
async function pushWithRetries(reference: ImageReference, request: PushRequest): Promise<string | undefined> {
  let problem = attemptPush(reference, request);
  for (let retry = 0; problem !== undefined && retry < request.options.pushRetry; retry += 1) {
    const delayMs = FIRST_RETRY_DELAY_MS * 2 ** retry;
    request.logger.warn(`Retrying operation after ${goDuration(delayMs)} due to ${problem}`);
    await sleepUnlessAborted(delayMs, request.signal);
    problem = attemptPush(reference, request);
  }
  return problem;
}

function attemptPush(reference: ImageReference, request: PushRequest): string | undefined {
  const rejected = request.checkPush(reference.original);
  if (rejected) return rejected;
  if (request.store.takeManifestUploadFailure(reference.registry)) {
    // go-containerregistry's transport.Error for a registry error code (remote/transport/error.go).
    return `PUT https://${reference.registry}/v2/${reference.repository}/manifests/${reference.tag}: MANIFEST_BLOB_UNKNOWN: blob unknown to registry`;
  }
  return undefined;
}

/** Formats whole seconds as Go's time.Duration.String does, such as `4s` or `1m4s`. */
function goDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (hours > 0) return `${hours}h${minutes}m${seconds % 60}s`;
  if (minutes > 0) return `${minutes}m${seconds % 60}s`;
  return `${seconds}s`;
}
