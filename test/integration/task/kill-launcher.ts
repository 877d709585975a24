// A Node.js launcher for the runner's `nodePath` that acts like an agent whose machine dies. It
// runs the task as its child. On the runner's first cancel signal it kills the task with SIGKILL
// at once, so that the task gets no chance to clean up.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Writes the launcher into `folder` and returns its path. */
export function killingLauncher(folder: string): string {
  const launcher = path.join(folder, 'node-killed-on-cancel');
  fs.writeFileSync(launcher, [
    `#!${process.execPath}`,
    "const { spawn } = require('node:child_process');",
    'const args = process.argv.slice(2);',
    "if (args[0] === '-v' || args[0] === '--version') { console.log(process.version); process.exit(0); }",
    "const task = spawn(process.execPath, args, { stdio: 'inherit' });",
    "const kill = () => task.kill('SIGKILL');",
    "process.on('SIGINT', kill);",
    "process.on('SIGTERM', kill);",
    "task.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGKILL' ? 137 : 1)));",
    '',
  ].join('\n'), { mode: 0o755 });
  return launcher;
}
