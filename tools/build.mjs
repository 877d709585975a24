// Bundles each task's src/index.ts, and src/post.ts (the post-job step) where it exists, into one
// CommonJS file each for Node 20, and copies the task-lib resources that task-lib loads from
// beside the bundles at run time.
import { build } from 'esbuild';
import { cpSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const taskLib = join(root, 'node_modules', 'azure-pipelines-task-lib');

for (const task of readdirSync(join(root, 'tasks'))) {
  const taskDir = join(root, 'tasks', task);
  const entry = join(taskDir, 'src', 'index.ts');
  if (!existsSync(entry)) continue;
  const dist = join(taskDir, 'dist');
  rmSync(dist, { recursive: true, force: true });
  const post = join(taskDir, 'src', 'post.ts');
  await build({
    // Each entry becomes dist/<name>.js with its own copy of every module, task-lib included:
    // the two handlers run in separate processes.
    entryPoints: existsSync(post) ? [entry, post] : [entry],
    outdir: dist,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: false,
    legalComments: 'external',
    // ES-module dependencies (client-node) call createRequire(import.meta.url), which a
    // CommonJS bundle does not have; this gives them the bundle's own file URL.
    banner: { js: "const __bundleFileUrl = require('node:url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__bundleFileUrl' },
    logLevel: 'warning',
  });
  // task-lib reads lib.json and Strings/ from the folder of the module that loaded it,
  // which after bundling is dist/.
  cpSync(join(taskLib, 'lib.json'), join(dist, 'lib.json'));
  cpSync(join(taskLib, 'Strings'), join(dist, 'Strings'), { recursive: true });
  console.log(`built ${task}`);
}
