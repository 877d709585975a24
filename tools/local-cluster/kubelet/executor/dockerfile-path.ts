// Finds the Dockerfile as kaniko's resolveDockerfilePath does
// (osscontainertools/kaniko cmd/executor/cmd/root.go): the `--dockerfile` path as given,
// relative to the working directory /workspace, then relative to the build context.
import { posix } from 'node:path';
import type { ContainerFiles } from './container-files';

/** Returns the Dockerfile's absolute path in the container, or undefined when it does not exist. */
export function resolveDockerfilePath(dockerfile: string, contextRoot: string, files: ContainerFiles): string | undefined {
  // NOTE: kaniko also downloads a Dockerfile given as an http(s) URL; the emulation has no such source.
  if (/^https?:\/\//.test(dockerfile)) return undefined;
  const candidates = [posix.resolve('/workspace', dockerfile), posix.join(contextRoot, dockerfile)];
  return candidates.find((candidate) => files.readFile(candidate) !== undefined);
}
