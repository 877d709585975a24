// Bundles each task's src/index.ts, and src/post.ts (the post-job step) where it exists, into ES
// modules for Node 20 in the task's dist/, and copies the task-lib resources that task-lib loads
// from beside the bundles at run time.
//
// Code splitting puts the modules that both handlers use, and the modules that a handler loads
// with import(), into chunk files beside the two entry files. A run then reads and compiles only
// the code it reaches: the build step prints its first line before it loads the Kubernetes and
// Azure clients (src/steps.ts), which make up most of the bundled code.
import { build } from 'esbuild';
import { cpSync, readdirSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const taskLib = join(root, 'node_modules', 'azure-pipelines-task-lib');

// Bundled CommonJS dependencies call require() for Node's built-in modules, and task-lib and
// src/messages.ts read files beside their own module through __dirname. ES modules have neither,
// so every output file defines them for its own location. All output files sit directly in dist/,
// which keeps __dirname the same for every chunk.
const COMMONJS_GLOBALS = [
  "import { createRequire as __createRequire } from 'node:module';",
  "import { dirname as __pathDirname } from 'node:path';",
  "import { fileURLToPath as __fileURLToPath } from 'node:url';",
  'const require = __createRequire(import.meta.url);',
  'const __filename = __fileURLToPath(import.meta.url);',
  'const __dirname = __pathDirname(__filename);',
].join(' ');

/** Returns the esbuild options that bundle the handlers of the task in `taskDir` into `taskDir/dist`. */
export function bundleOptions(taskDir) {
  const post = join(taskDir, 'src', 'post.ts');
  return {
    entryPoints: [join(taskDir, 'src', 'index.ts'), ...(existsSync(post) ? [post] : [])],
    outdir: join(taskDir, 'dist'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    splitting: true,
    minify: true,
    sourcemap: false,
    legalComments: 'external',
    banner: { js: COMMONJS_GLOBALS },
    // tr46, under client-node's node-fetch, requires Node's built-in punycode module, which Node 21
    // and later deprecate with a warning on stderr. The npm package of the same name (`punycode/`
    // skips the built-in) has the same code.
    alias: { punycode: 'punycode/' },
    logLevel: 'warning',
  };
}

/** Bundles the task in `taskDir` into a fresh `taskDir/dist`. */
export async function buildTask(taskDir) {
  const dist = join(taskDir, 'dist');
  rmSync(dist, { recursive: true, force: true });
  await build(bundleOptions(taskDir));
  // The agent runs `node dist/index.js`, and this file makes Node load the .js files of dist/ as ES modules.
  writeFileSync(join(dist, 'package.json'), '{ "type": "module" }\n');
  // task-lib reads lib.json and Strings/ from the folder of the module that loaded it,
  // which after bundling is dist/.
  cpSync(join(taskLib, 'lib.json'), join(dist, 'lib.json'));
  cpSync(join(taskLib, 'Strings'), join(dist, 'Strings'), { recursive: true });
}

async function buildAllTasks() {
  for (const task of readdirSync(join(root, 'tasks'))) {
    const taskDir = join(root, 'tasks', task);
    if (!existsSync(join(taskDir, 'src', 'index.ts'))) continue;
    await buildTask(taskDir);
    console.log(`built ${task}`);
  }
}

// Run as a script, this builds every task. The tests import the module for bundleOptions, and a
// top-level await would keep them from loading it with require().
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildAllTasks().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
