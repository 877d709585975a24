// Real temporary folders for file-system tests. Each test gets a new folder, removed after it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Registers mocha hooks that create a temporary folder before each test and remove it after, and returns its getter. */
export function useTempDir(): () => string {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaniko-task-test-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => dir;
}

/** Writes each file of `files` (path relative to `root`, `/` separators) with its text, creating parent folders. */
export function writeTree(root: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(root, ...name.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
}
