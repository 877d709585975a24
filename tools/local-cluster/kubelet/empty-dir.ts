// The emptyDir volumes of one pod. The kubelet creates each one empty when the pod starts on
// the node, shows the same files to every container that mounts it, and deletes it with the
// pod (https://kubernetes.io/docs/concepts/storage/volumes/#emptydir). The pod's resource
// monitor enforces `sizeLimit` and counts the volumes toward the pod's ephemeral storage.
import { posix } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';

export class EmptyDirVolumes {
  /** Files of each emptyDir volume, keyed by their path relative to the volume's root. */
  private readonly volumes = new Map<string, Map<string, Buffer>>();
  /** Called after every write, so that storage limits are checked. */
  onWrite?: () => void;

  constructor(pod: V1Pod) {
    for (const volume of pod.spec?.volumes ?? []) {
      if (volume.emptyDir) this.volumes.set(volume.name, new Map());
    }
  }

  has(volume: string): boolean {
    return this.volumes.has(volume);
  }

  /** Returns a copy of a volume's files, or undefined when the pod has no such emptyDir. */
  files(volume: string): Map<string, Buffer> | undefined {
    const files = this.volumes.get(volume);
    return files ? new Map(files) : undefined;
  }

  /** Stores a file's whole content. */
  writeFile(volume: string, relativePath: string, content: Buffer): void {
    this.volumes.get(volume)?.set(relativePath, content);
    this.onWrite?.();
  }

  /** Returns the bytes of the files in a volume, or 0 when the pod has no such emptyDir. */
  usedBytes(volume: string): number {
    let total = 0;
    for (const content of this.volumes.get(volume)?.values() ?? []) total += content.length;
    return total;
  }

  /** Returns whether the relative path is the volume's root or a directory that contains files. */
  isDirectory(volume: string, relativePath: string): boolean {
    if (relativePath === '' || relativePath === '.') return true;
    const prefix = `${relativePath}/`;
    return [...(this.volumes.get(volume)?.keys() ?? [])].some((path) => path.startsWith(prefix));
  }

  /** Returns whether a regular file exists at the relative path. */
  isFile(volume: string, relativePath: string): boolean {
    return this.volumes.get(volume)?.has(posix.normalize(relativePath)) ?? false;
  }
}
