// Files that a container's program writes: into the pod's emptyDir volumes through the
// container's volume mounts, into the termination log that the kubelet mounts, or into the
// container's own writable layer, which nothing outside the container reads but which counts
// toward its ephemeral storage. A failed write returns the errno name that open(2) would set.
import { posix } from 'node:path';
import type { V1Container, V1Pod, V1VolumeMount } from '@kubernetes/client-node';
import type { EmptyDirVolumes } from './empty-dir';
import type { ContainerUsage } from './resource-usage';

export type WriteError = 'ENOENT' | 'EACCES' | 'EROFS' | 'EISDIR';

/** The directories of an image, for writes outside the volume mounts. */
export interface ImageDirectories {
  /** Directories in which the image's user may create files. */
  writable: readonly string[];
  /** Other directories of the image, which its user may not write to. */
  readOnly: readonly string[];
}

/** Volume kinds that the kubelet always mounts read-only. */
const READ_ONLY_SOURCES = ['secret', 'configMap', 'projected', 'downwardAPI'] as const;

export class ContainerWrites {
  /** Files written outside the volumes, such as the termination log, keyed by absolute path. */
  readonly writtenFiles = new Map<string, Buffer>();
  private readonly terminationMessagePath: string;

  constructor(
    private readonly pod: V1Pod,
    private readonly container: V1Container,
    private readonly emptyDirs: EmptyDirVolumes,
    private readonly image: ImageDirectories,
    private readonly usage?: ContainerUsage,
  ) {
    this.terminationMessagePath = container.terminationMessagePath ?? '/dev/termination-log';
  }

  /** Creates or replaces a file, as open(2) with O_CREAT and O_TRUNC followed by write(2) would. */
  writeFile(path: string, content: Buffer): WriteError | undefined {
    const absolute = posix.resolve('/', path);
    const mount = this.findMount(absolute);
    if (mount) return this.writeToVolume(mount, absolute, content);
    if (absolute === this.terminationMessagePath) {
      this.writtenFiles.set(absolute, content);
      return undefined;
    }
    if (absolute === '/dev/null') return undefined;
    if (this.isImageDirectory(absolute)) return 'EISDIR';
    const parent = posix.dirname(absolute);
    if (this.image.writable.includes(parent)) {
      this.writtenFiles.set(absolute, content);
      this.usage?.addWritableLayerBytes(content.length);
      return undefined;
    }
    return this.image.readOnly.includes(parent) ? 'EACCES' : 'ENOENT';
  }

  /** Returns the mount with the longest mount path that contains the path. */
  private findMount(absolute: string): V1VolumeMount | undefined {
    const candidates = (this.container.volumeMounts ?? []).filter(
      (mount) => absolute === mount.mountPath || absolute.startsWith(`${mount.mountPath.replace(/\/$/, '')}/`),
    );
    return candidates.sort((left, right) => right.mountPath.length - left.mountPath.length)[0];
  }

  private writeToVolume(mount: V1VolumeMount, absolute: string, content: Buffer): WriteError | undefined {
    const inMount = posix.relative(mount.mountPath, absolute);
    const relative = posix.join(mount.subPath ?? '', inMount).replace(/^\.$/, '');
    const volume = (this.pod.spec?.volumes ?? []).find((candidate) => candidate.name === mount.name);
    if (!volume || !this.emptyDirs.has(volume.name)) {
      if (volume && READ_ONLY_SOURCES.some((source) => volume[source])) return 'EROFS';
      // NOTE: writes to hostPath, persistentVolumeClaim and other volumes are accepted and dropped.
      return undefined;
    }
    if (this.emptyDirs.isDirectory(volume.name, relative)) return 'EISDIR';
    if (!this.emptyDirs.isDirectory(volume.name, posix.dirname(relative))) return 'ENOENT';
    if (mount.readOnly) return 'EROFS';
    this.emptyDirs.writeFile(volume.name, relative, content);
    return undefined;
  }

  private isImageDirectory(absolute: string): boolean {
    return absolute === '/' || this.image.writable.includes(absolute) || this.image.readOnly.includes(absolute);
  }
}
