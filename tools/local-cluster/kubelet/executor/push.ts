// Emulates kaniko's DoPush (osscontainertools/kaniko pkg/executor/push.go): writes the digest
// file first, then pushes to every destination, or skips the push with `--no-push`.
import type { KanikoOptions } from './args';
import type { KanikoLogger } from './log';
import { parseTag, repositoryName, type ImageReference } from './reference';

export interface PushRequest {
  options: KanikoOptions;
  /** Digest of the built image, `sha256:` and 64 hex digits. */
  digest: string;
  logger: KanikoLogger;
  pause: () => Promise<void>;
  /** Receives the files the push writes, keyed by path in the container. */
  writtenFiles: Map<string, Buffer>;
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
    logger.info(`Pushed ${repositoryName(reference)}@${digest}`);
    await pause();
  }
}
