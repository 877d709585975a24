// The files of the build context that a COPY or ADD source names, with Go's filepath.Match
// wildcards, and a fingerprint of their contents for kaniko's cache keys.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { Ignore } from '@balena/dockerignore';
import type { ContainerFiles } from './container-files';
import { flagValue, splitCopyArguments, type Instruction } from './dockerfile';
import { expandVariables } from './shell';

/**
 * Returns the sources of a COPY or ADD from the build context, variables expanded and relative
 * to the context (`.` for the whole context). URLs and the sources of `--from` are left out.
 */
export function contextSources(instruction: Instruction, variables: ReadonlyMap<string, string>): string[] {
  if (flagValue(instruction, 'from') !== undefined) return [];
  return splitCopyArguments(instruction.rest).slice(0, -1)
    .map((source) => expandVariables(source, variables))
    .filter((source) => !/^https?:\/\//.test(source))
    .map((source) => posix.normalize(source).replace(/^\/+/, '').replace(/\/$/, '') || '.');
}

/**
 * Returns a SHA-256 of the paths and contents of the context files that `source` (relative to
 * the context, without a leading `/`) names: the file, the files below the folder, or the files
 * that match the wildcards. Files that .dockerignore excludes are left out, as kaniko leaves them out.
 */
export function sourceFingerprint(files: ContainerFiles, contextRoot: string, source: string, excluded: Ignore): string {
  const hash = createHash('sha256');
  const pattern = /[*?[]/.test(source) ? new RegExp(`^${globToRegExp(source)}(/.*)?$`) : undefined;
  const tree = files.treeUnder(contextRoot);
  for (const path of [...tree.keys()].sort()) {
    const entry = tree.get(path)!;
    const named = pattern ? pattern.test(path) : source === '.' || path === source || path.startsWith(`${source}/`);
    if (!named || excluded.ignores(path)) continue;
    hash.update(`${path}\0`);
    if (entry.type === 'file') hash.update(entry.content);
    if (entry.type === 'symlink') hash.update(`-> ${entry.target}`);
    hash.update('\0');
  }
  return hash.digest('hex');
}

export function matchesAny(files: ContainerFiles, contextRoot: string, pattern: string, excluded: Ignore): boolean {
  const expression = new RegExp(`^${globToRegExp(pattern)}(/.*)?$`);
  return [...files.treeUnder(contextRoot).keys()].some((path) => expression.test(path) && !excluded.ignores(path));
}

/** Translates a Go filepath.Match pattern (`*`, `?`, `[...]`) into a regular expression source. */
export function globToRegExp(pattern: string): string {
  let source = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index];
    const classEnd = char === '[' ? pattern.indexOf(']', index + 2) : -1;
    if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else if (classEnd !== -1) {
      // A class such as `[a-z]` or `[^0-9]` reads the same in both syntaxes.
      source += `[${pattern.slice(index + 1, classEnd).replace(/\\/g, '\\\\')}]`;
      index = classEnd;
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return source;
}
