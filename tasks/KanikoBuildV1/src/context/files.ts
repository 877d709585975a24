// Lists the files of a build context, leaving out what `.dockerignore` excludes, with the
// rules of Docker's builder (implemented by @balena/dockerignore).
import ignore, { type Ignore } from '@balena/dockerignore';
import * as fsSync from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { loc } from '../messages';

export type EntryType = 'file' | 'directory' | 'symlink';

export interface ContextEntry {
  /** Path inside the context with `/` separators, such as `app/main.py`. */
  name: string;
  type: EntryType;
  /** Absolute path on the agent. */
  source: string;
}

export const DOCKERIGNORE = '.dockerignore';

/**
 * Returns the context's entries sorted by name. The Dockerfile and `.dockerignore` are
 * always included, as Docker sends them even when `.dockerignore` matches them.
 */
export async function listContextEntries(contextDir: string, dockerfile: string): Promise<ContextEntry[]> {
  const rules = await readIgnoreRules(contextDir);
  const alwaysIncluded = new Set([dockerfile, DOCKERIGNORE]);
  const entries: ContextEntry[] = [];
  await walk(path.resolve(contextDir), { ...rules, alwaysIncluded }, entries);
  // UTF-16 code unit order, not locale order, so that the entry order is the same on every agent.
  return entries.sort((a, b) => compareNames(a.name, b.name));
}

/** Folders read between two turns of the event loop. */
const FOLDERS_PER_BATCH = 64;

interface Filter {
  /** Whether `.dockerignore` excludes a path; unset when it has no rules. */
  matches?: (name: string) => boolean;
  /** Whether any rule starts with `!`, so that files inside an ignored folder may come back. */
  hasExceptions: boolean;
  alwaysIncluded: Set<string>;
}

async function readIgnoreRules(contextDir: string): Promise<Omit<Filter, 'alwaysIncluded'>> {
  let text = '';
  try {
    text = await fs.readFile(path.join(contextDir, DOCKERIGNORE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const rules: Ignore = ignore().add(text);
  const hasRules = /^\s*[^#\s]/m.test(text);
  return { matches: hasRules ? (name) => rules.ignores(name) : undefined, hasExceptions: /^\s*!/m.test(text) };
}

/**
 * Walks the folders depth first. Folders are read with synchronous calls, which cost a small
 * part of what waiting for each asynchronous read would. The walk lets the event loop run
 * between batches of folders, so that a large tree does not hold up the run's other work.
 */
async function walk(root: string, filter: Filter, entries: ContextEntry[]): Promise<void> {
  const folders = [''];
  for (let walked = 1; folders.length > 0; walked += 1) {
    const relative = folders.pop()!;
    const folder = relative ? path.join(root, relative) : root;
    const prefix = folder.endsWith(path.sep) ? folder : folder + path.sep;
    for (const dirent of fsSync.readdirSync(folder, { withFileTypes: true })) {
      const name = relative ? `${relative}/${dirent.name}` : dirent.name;
      const source = prefix + dirent.name;
      const ignored = filter.matches !== undefined && filter.matches(name) && !filter.alwaysIncluded.has(name);
      if (!ignored && dirent.name.includes('\uFFFD')) checkUtf8Name(folder, dirent.name);
      if (dirent.isDirectory()) {
        if (!ignored) entries.push({ name, type: 'directory', source });
        // An ignored folder is walked only when a `!pattern` may bring back files inside it,
        // or when it contains the Dockerfile.
        const holdsDockerfile = [...filter.alwaysIncluded].some((file) => file.startsWith(`${name}/`));
        if (!ignored || filter.hasExceptions || holdsDockerfile) folders.push(name);
      } else if (!ignored && dirent.isFile()) {
        entries.push({ name, type: 'file', source });
      } else if (!ignored && dirent.isSymbolicLink()) {
        entries.push({ name, type: 'symlink', source });
      }
      // Sockets, FIFOs and devices cannot be archived; Docker leaves them out too.
    }
    if (walked % FOLDERS_PER_BATCH === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Fails when the entry of `folder` that Node.js lists as `name` has a name that is not valid
 * UTF-8. Node.js decodes such a name with U+FFFD in place of the bad bytes, so the task could
 * neither open the file by that name nor write its real name into the archive.
 */
function checkUtf8Name(folder: string, name: string): void {
  for (const raw of fsSync.readdirSync(folder, { encoding: 'buffer' })) {
    const decoded = raw.toString('utf8');
    const invalid = decoded === name && !Buffer.from(decoded).equals(raw);
    if (invalid) throw new Error(loc('ContextNameNotUtf8', path.join(folder, escapeBytes(raw))));
  }
}

/** Writes the bytes of a name as text, with `\xNN` for each byte outside printable ASCII. */
function escapeBytes(raw: Buffer): string {
  return [...raw].map((byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`)).join('');
}

function compareNames(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}
