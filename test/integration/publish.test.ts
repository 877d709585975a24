// Runs tools/publish.mjs with the real tfx-cli against a Marketplace stand-in on 127.0.0.1 that
// rejects every request with 401, as the Marketplace does for a wrong token. The stand-in records
// the credentials that tfx sends and looks for the token in every process's arguments meanwhile.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');
const TOKEN = `test-token-${Math.random().toString(36).slice(2)}`;

interface RunResult {
  status: number | null;
  output: string;
}

interface MarketplaceStandIn {
  url: string;
  /** The `user:password` of each request's basic credentials. */
  credentials: string[];
  /** Command lines of processes that contained the token while a request was open. */
  commandLinesWithToken: string[];
  close(): Promise<void>;
}

/** Returns the command line of every process that contains `text`, read from /proc. */
function findInCommandLines(text: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (commandLine.includes(text)) found.push(commandLine);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return found;
}

async function startMarketplaceStandIn(): Promise<MarketplaceStandIn> {
  const credentials: string[] = [];
  const commandLinesWithToken: string[] = [];
  const server = http.createServer((request, response) => {
    const authorization = request.headers.authorization ?? '';
    credentials.push(authorization.startsWith('Basic ') ? Buffer.from(authorization.slice(6), 'base64').toString() : authorization);
    commandLinesWithToken.push(...findInCommandLines(TOKEN));
    response.writeHead(401, { 'content-type': 'application/json' });
    response.end('{"message":"TF400813: The user is not authorized to access this resource."}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    credentials,
    commandLinesWithToken,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Packages a minimal extension with tfx and returns the .vsix path. */
function packageTestExtension(folder: string): string {
  const manifest = {
    manifestVersion: 1,
    id: 'publish-test',
    publisher: 'publish-test',
    version: '0.0.1',
    name: 'Publish test',
    targets: [{ id: 'Microsoft.VisualStudio.Services' }],
    categories: ['Azure Pipelines'],
    contributions: [
      { id: 'hub', type: 'ms.vss-web.hub', targets: ['ms.vss-code-web.code-hub-group'], properties: { name: 'Test', uri: 'index.html' } },
    ],
  };
  fs.writeFileSync(path.join(folder, 'vss-extension.json'), JSON.stringify(manifest));
  const vsix = path.join(folder, 'publish-test.vsix');
  const tfx = path.join(root, 'node_modules', '.bin', 'tfx');
  const args = ['extension', 'create', '--root', folder, '--manifest-globs', 'vss-extension.json', '--output-path', vsix, '--no-prompt'];
  const result = spawnSync(tfx, args, { encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, `tfx extension create failed:\n${result.stdout}${result.stderr}`);
  return vsix;
}

/** Runs tools/publish.mjs without waiting synchronously, so that the stand-in in this process can respond. */
function runPublish(home: string, args: string[], token: string | undefined): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  delete env.MARKETPLACE_TOKEN;
  if (token !== undefined) env.MARKETPLACE_TOKEN = token;

  const child = spawn(process.execPath, ['tools/publish.mjs', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, output })));
}

describe('tools/publish.mjs', function () {
  this.timeout(120_000);

  let folder: string;
  let vsix: string;
  let marketplace: MarketplaceStandIn;

  before(async function () {
    if (process.platform !== 'linux') this.skip();
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'publish-'));
    vsix = packageTestExtension(folder);
    marketplace = await startMarketplaceStandIn();
  });

  after(async () => {
    await marketplace?.close();
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  beforeEach(() => {
    marketplace.credentials.length = 0;
    marketplace.commandLinesWithToken.length = 0;
  });

  it('sends the token through standard input only', async () => {
    const result = await runPublish(folder, ['--vsix', vsix, '--service-url', marketplace.url], TOKEN);

    assert.equal(result.status, 1, result.output);
    assert.match(result.output, /Received response 401 \(Not Authorized\)/);
    assert.match(result.output, /tfx extension publish failed with exit code/);
    assert.ok(marketplace.credentials.length > 0, 'tfx sent no request to the Marketplace stand-in');
    for (const credential of marketplace.credentials) assert.equal(credential, `OAuth:${TOKEN}`);
    assert.deepEqual(marketplace.commandLinesWithToken, [], 'a process had the token in its arguments');
    assert.ok(!result.output.includes(TOKEN), 'the output contains the token');
  });

  it('rejects a missing token before tfx runs', async () => {
    for (const token of [undefined, '', '  ']) {
      const result = await runPublish(folder, ['--vsix', vsix, '--service-url', marketplace.url], token);
      assert.equal(result.status, 1, result.output);
      assert.match(result.output, /MARKETPLACE_TOKEN is not set/);
    }
    assert.deepEqual(marketplace.credentials, [], 'tfx ran without a token');
  });

  it('rejects an unexpanded macro', async () => {
    const result = await runPublish(folder, ['--vsix', vsix, '--service-url', marketplace.url], '$(MARKETPLACE_TOKEN)');
    assert.equal(result.status, 1, result.output);
    assert.match(result.output, /unexpanded macro/);
    assert.deepEqual(marketplace.credentials, []);
  });

  it('rejects a missing package', async () => {
    const missing = await runPublish(folder, ['--vsix', path.join(folder, 'missing.vsix')], TOKEN);
    assert.equal(missing.status, 1, missing.output);
    assert.match(missing.output, /missing\.vsix was not found/);

    const noOption = await runPublish(folder, [], TOKEN);
    assert.equal(noOption.status, 1, noOption.output);
    assert.match(noOption.output, /The --vsix option is missing/);
  });
});
