// The executor container's file system as far as the emulation needs it: the files that the
// pod's volumes mount and the build context that kaniko unpacks into /kaniko/buildcontext.
import { posix } from 'node:path';
import { cleanPath, type ContextEntry, type ContextTree } from './archive';

/** Directory that kaniko unpacks a downloaded build context into. */
export const BUILD_CONTEXT_DIR = '/kaniko/buildcontext';

export class ContainerFiles {
  private readonly entries = new Map<string, ContextEntry>();
  private readonly directories = new Set<string>(['/']);

  /** `mounted` maps absolute paths in the container to file contents. */
  constructor(mounted: ReadonlyMap<string, Buffer>) {
    for (const [path, content] of mounted) this.set(path, { type: 'file', content });
  }

  /** Adds the entries of an unpacked tree below `root`. */
  addTree(root: string, tree: ContextTree): void {
    this.directories.add(cleanPath(root));
    for (const [relative, entry] of tree) this.set(posix.join(root, relative), entry);
  }

  /** Returns the content of a regular file, following one level of symlink; undefined otherwise. */
  readFile(path: string): Buffer | undefined {
    const cleaned = cleanPath(path);
    const entry = this.entries.get(cleaned);
    if (entry?.type === 'file') return entry.content;
    if (entry?.type === 'symlink') {
      const target = posix.resolve(posix.dirname(cleaned), entry.target);
      const linked = this.entries.get(target);
      return linked?.type === 'file' ? linked.content : undefined;
    }
    return undefined;
  }

  /** Returns whether anything exists at the path, as os.Lstat would find it. */
  exists(path: string): boolean {
    const cleaned = cleanPath(path);
    return this.entries.has(cleaned) || this.directories.has(cleaned);
  }

  isDirectory(path: string): boolean {
    return this.directories.has(cleanPath(path));
  }

  /** Returns the entries below a directory as a tree of paths relative to it. */
  treeUnder(directory: string): ContextTree {
    const root = cleanPath(directory);
    const prefix = root === '/' ? '/' : `${root}/`;
    const tree: ContextTree = new Map();
    for (const [path, entry] of this.entries) {
      if (path.startsWith(prefix)) tree.set(path.slice(prefix.length), entry);
    }
    return tree;
  }

  private set(path: string, entry: ContextEntry): void {
    const cleaned = cleanPath(path);
    if (entry.type === 'directory') this.directories.add(cleaned);
    else this.entries.set(cleaned, entry);
    for (let parent = posix.dirname(cleaned); parent !== '/'; parent = posix.dirname(parent)) {
      this.directories.add(parent);
    }
  }
}
