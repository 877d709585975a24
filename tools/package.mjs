// Packages the extension into a .vsix with the tfx-cli in node_modules; `tfx extension
// create` needs no network. `npm run package` builds the task bundles first.
//   node tools/package.mjs [--publisher ID] [--output-path DIR]
// The publisher is --publisher, else the EXTENSION_PUBLISHER environment variable, else the
// `publisher` of vss-extension.json. The .vsix goes to DIR (default out/), and its path is the
// last line printed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MANIFEST = 'vss-extension.json';
const TASK_CONTRIBUTION_TYPE = 'ms.vss-distributed-task.task';
const HANDLER_SECTIONS = ['execution', 'prejobexecution', 'postjobexecution'];
// A Marketplace publisher ID: letters, digits and dashes. This is stricter than tfx, which
// accepts any text and leaves the check to the Marketplace upload.
const PUBLISHER_ID = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`Failed to read ${relative(root, path)}: ${error.message}`, { cause: error });
  }
}

const USAGE = 'Usage: node tools/package.mjs [--publisher ID] [--output-path DIR]';

function parseOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        publisher: { type: 'string' },
        'output-path': { type: 'string', default: 'out' },
      },
    }));
  } catch (error) {
    throw new Error(`${error.message}\n${USAGE}`, { cause: error });
  }
  const publisher = values.publisher ?? process.env.EXTENSION_PUBLISHER ?? '';
  if (publisher !== '' && !PUBLISHER_ID.test(publisher)) {
    throw new Error(`Invalid publisher ID "${publisher}": use letters, digits and dashes only.`);
  }
  return { publisher, outputDir: resolve(values['output-path']) };
}

/**
 * Throws unless every handler target of every task in the manifest exists, because tfx
 * only warns about a missing target and packages the task anyway.
 */
function checkTaskBundles(manifest) {
  const tasks = manifest.contributions.filter((contribution) => contribution.type === TASK_CONTRIBUTION_TYPE);
  for (const contribution of tasks) {
    const taskDir = join(root, contribution.properties.name);
    const task = readJson(join(taskDir, 'task.json'));
    for (const section of HANDLER_SECTIONS) {
      for (const handler of Object.values(task[section] ?? {})) {
        const target = join(taskDir, handler.target);
        if (!existsSync(target)) {
          throw new Error(
            `${relative(root, target)} is missing. Run \`npm run build\` first, ` +
              'or `npm run package` to build and package in one step.',
          );
        }
      }
    }
  }
}

/** Runs `tfx extension create`, prints its output and returns it. */
function runTfx(args) {
  const tfx = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tfx.cmd' : 'tfx');
  if (!existsSync(tfx)) throw new Error(`${relative(root, tfx)} is missing. Run \`npm ci\` first.`);

  const result = spawnSync(tfx, args, { cwd: root, encoding: 'utf8', shell: process.platform === 'win32' });
  if (result.error) throw new Error(`Failed to start ${tfx}.`, { cause: result.error });
  const output = `${result.stdout}${result.stderr}`;
  process.stdout.write(output);
  if (result.status !== 0) throw new Error(`tfx extension create failed with exit code ${result.status}.`);

  return output;
}

function packageExtension() {
  const options = parseOptions();
  const manifest = readJson(join(root, MANIFEST));
  checkTaskBundles(manifest);

  // tfx reads an output path whose last part contains a dot as a file name, so pass the file name.
  const publisher = options.publisher || manifest.publisher;
  const vsixPath = join(options.outputDir, `${publisher}.${manifest.id}-${manifest.version}.vsix`);
  const args = ['extension', 'create', '--root', root, '--manifest-globs', MANIFEST];
  args.push('--output-path', vsixPath, '--no-prompt', '--no-color');
  if (options.publisher) args.push('--publisher', options.publisher);

  const output = runTfx(args);
  if (!existsSync(vsixPath)) throw new Error(`tfx reported success but ${vsixPath} was not written.`);

  // tfx 0.23 reports an invalid task.json (a friendlyName over 40 characters, a handler
  // target that does not exist) only as a warning and writes the .vsix anyway.
  if (output.split(/\r?\n/).some((line) => line.startsWith('warning: '))) {
    rmSync(vsixPath, { force: true });
    throw new Error('tfx extension create printed the warnings above, so the .vsix was deleted. Fix them and run again.');
  }
  console.log(vsixPath);
}

try {
  packageExtension();
} catch (error) {
  console.error(`error: ${error.message}`);
  process.exitCode = 1;
}
