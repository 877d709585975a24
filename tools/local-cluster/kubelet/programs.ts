// The programs that the emulated container runtime can start: kaniko's executor in kaniko
// images and curl in curl images. A container that names any other program fails to start.
import { posix } from 'node:path';
import type { V1Container } from '@kubernetes/client-node';
import { ContainerWrites } from './container-writes';
import type { CurlVersion } from './curl/args';
import { CURL_IMAGE_DIRECTORIES, CURL_WORKING_DIR, curlArguments } from './curl/image';
import { runCurl } from './curl/run';
import { runExecutor } from './executor/run';
import type { NodeImage } from './images';
import type { PodContext } from './pod-context';
import type { ContainerUsage } from './resource-usage';
import type { ContainerStdin } from './stdin';

export type ContainerProgram =
  | { kind: 'executor'; args: string[] }
  | { kind: 'curl'; version?: CurlVersion; args: string[] }
  | { kind: 'missing'; executable: string };

/** The outcome of a program run, which the kubelet reports. */
export interface ProgramResult {
  exitCode: number;
  /** Files written outside the volumes, such as the termination log, keyed by absolute path. */
  writtenFiles: Map<string, Buffer>;
  /** Regular files and symlinks of the build context that kaniko unpacked, sorted; empty for other programs. */
  contextFiles: string[];
  /** Set when the kernel killed the program for passing the container's memory limit (exit code 137). */
  oomKilled?: { limitBytes: number };
}

/** The container's side of a run: environment, mounted files, stdin and output. */
export interface ProgramIo {
  env: Record<string, string>;
  /** Files that the pod's volumes mount, keyed by absolute path in the container. */
  mountedFiles: ReadonlyMap<string, Buffer>;
  stdin?: ContainerStdin;
  /** Receives what the program writes and the memory it keeps, to enforce the container's limits. */
  usage: ContainerUsage;
  writeLine(line: string): void;
  onContextUnpacked(files: string[]): void;
}

/** Returns the program that a container runs from its image, command and arguments. */
export function resolveProgram(image: NodeImage | undefined, container: V1Container): ContainerProgram {
  const command = container.command ?? [];
  const args = container.args ?? [];
  if (image?.kind === 'curl') {
    const curlArgs = curlArguments(command, args);
    if (curlArgs) return { kind: 'curl', version: image.version, args: curlArgs };
    return { kind: 'missing', executable: command[0] ?? args[0] };
  }
  if (command.length > 0 && posix.basename(command[0]) !== 'executor') return { kind: 'missing', executable: command[0] };
  return { kind: 'executor', args: [...command.slice(1), ...args] };
}

/** Runs a program to its exit code; rejects with the abort reason when the pod is stopped. */
export async function runProgram(
  context: PodContext,
  container: V1Container,
  program: ContainerProgram & { kind: 'executor' | 'curl' },
  io: ProgramIo,
): Promise<ProgramResult> {
  // A TTY makes stdin a terminal, which neither program reads a build context or data from.
  const stdin = container.tty ? undefined : io.stdin;
  if (program.kind === 'curl') {
    const writes = new ContainerWrites(context.pod, container, context.emptyDirs, CURL_IMAGE_DIRECTORIES, io.usage);
    const exitCode = await runCurl({
      version: program.version,
      args: program.args,
      env: io.env,
      workingDir: container.workingDir || CURL_WORKING_DIR,
      writeFile: (path, content) => writes.writeFile(path, content),
      caCertificates: context.options.httpsCaCertificates,
      signal: context.signal,
      writeLine: io.writeLine,
    });
    return { exitCode, writtenFiles: writes.writtenFiles, contextFiles: [] };
  }
  const result = await runExecutor({
    image: container.image ?? '',
    args: program.args,
    env: io.env,
    mountedFiles: io.mountedFiles,
    resolveBlobService: context.options.resolveBlobService,
    registryCredentials: context.options.registryCredentials,
    registry: context.options.registry,
    caCertificates: context.options.httpsCaCertificates,
    stdin,
    stepDelayMs: context.options.stepDelayMs,
    sleepScale: context.options.sleepScale,
    usage: io.usage,
    signal: context.signal,
    writeLine: io.writeLine,
    onContextUnpacked: io.onContextUnpacked,
  });
  return result;
}
