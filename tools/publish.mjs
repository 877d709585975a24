// Publishes a packaged extension to the Visual Studio Marketplace with `tfx extension publish`,
// using the personal access token in the MARKETPLACE_TOKEN environment variable.
//   node tools/publish.mjs --vsix FILE [--share-with ORGANIZATION ...] [--service-url URL]
// --share-with shares a private extension with an Azure DevOps organization. --service-url sets
// the Marketplace URL (tfx's default is https://marketplace.visualstudio.com).
//
// tfx-cli 0.23 takes a token from its --token argument, from the file that `tfx login` writes,
// or from its prompt. This script writes the token to the prompt through tfx's standard input,
// so the token appears in no process's arguments and in no file.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TOKEN_VARIABLE = 'MARKETPLACE_TOKEN';
const USAGE = 'Usage: node tools/publish.mjs --vsix FILE [--share-with ORGANIZATION ...] [--service-url URL]';

function parseOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        vsix: { type: 'string' },
        'share-with': { type: 'string', multiple: true, default: [] },
        'service-url': { type: 'string' },
      },
    }));
  } catch (error) {
    throw new Error(`${error.message}\n${USAGE}`, { cause: error });
  }
  if (!values.vsix) throw new Error(`The --vsix option is missing.\n${USAGE}`);

  const vsix = resolve(values.vsix);
  if (!existsSync(vsix)) throw new Error(`The extension package ${vsix} was not found.`);
  return { vsix, shareWith: values['share-with'], serviceUrl: values['service-url'] };
}

/** Returns the token from the environment, and throws without echoing it when it is unusable. */
function readToken() {
  const token = process.env[TOKEN_VARIABLE] ?? '';
  if (token.trim() === '') {
    throw new Error(`${TOKEN_VARIABLE} is not set. Map the secret pipeline variable to it with \`env:\` in the step.`);
  }
  // The agent leaves a macro of an undefined variable unexpanded.
  if (token.startsWith('$(')) {
    throw new Error(`${TOKEN_VARIABLE} contains an unexpanded macro, so the secret variable it names is not defined.`);
  }
  if (/[\r\n]/.test(token)) throw new Error(`${TOKEN_VARIABLE} contains a line break, which a token cannot contain.`);
  return token;
}

function publish() {
  const options = parseOptions();
  const token = readToken();

  const tfx = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tfx.cmd' : 'tfx');
  if (!existsSync(tfx)) throw new Error(`${tfx} is missing. Run \`npm ci\` first.`);
  // No --token and no --no-prompt: tfx then prompts for the token and reads it from standard input.
  const args = ['extension', 'publish', '--vsix', options.vsix, '--no-color'];
  if (options.shareWith.length > 0) args.push('--share-with', ...options.shareWith);
  if (options.serviceUrl) args.push('--service-url', options.serviceUrl);

  const env = { ...process.env };
  delete env[TOKEN_VARIABLE];
  const child = spawn(tfx, args, { cwd: root, env, stdio: ['pipe', 'inherit', 'inherit'], shell: process.platform === 'win32' });
  child.stdin.end(`${token}\n`);

  child.on('error', (error) => {
    console.error(`error: Failed to start ${tfx}: ${error.message}`);
    process.exitCode = 1;
  });
  child.on('close', (code, signal) => {
    if (code === 0) return;
    console.error(`error: tfx extension publish failed with ${signal ? `signal ${signal}` : `exit code ${code}`}.`);
    process.exitCode = 1;
  });
}

try {
  publish();
} catch (error) {
  console.error(`error: ${error.message}`);
  process.exitCode = 1;
}
