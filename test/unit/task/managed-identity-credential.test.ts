// The task's managed identity credential against the fake IMDS. Each case runs in a child
// process whose environment is built from scratch and always points IMDS at the fake, so no
// request can reach 169.254.169.254.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import {
  assertImdsSourceSelectable, IMDS_HOST_VARIABLE, startAzureFakes, type AzureFakes, type ManagedIdentity,
} from '../../../tools/azure-fakes/index';
import type { TokenOutcome } from './support/managed-identity-token';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const SCRIPT = path.join(__dirname, 'support', 'managed-identity-token.ts');
const ARM_SCOPE = 'https://management.core.windows.net//.default';
const ACR_SCOPE = 'https://containerregistry.azure.net/.default';

/** Runs the token script with IMDS at `imdsHost` and returns its outcome. */
async function tokenOutcome(imdsHost: string, clientId: string, scope: string, timeoutMs = 90_000): Promise<TokenOutcome> {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', [IMDS_HOST_VARIABLE]: imdsHost };
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', SCRIPT, clientId, scope, String(timeoutMs)], {
    cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 120_000,
  });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as TokenOutcome;
}

describe('managed identity credential', function () {
  this.timeout(120_000);

  let fakes: AzureFakes;
  let system: ManagedIdentity;
  let builder: ManagedIdentity;

  before(async () => {
    assertImdsSourceSelectable();
    fakes = await startAzureFakes();
    system = fakes.imds.enableSystemAssigned();
    builder = fakes.imds.assignUserAssigned({ name: 'builder' });
  });

  after(async () => {
    await fakes?.stop();
  });

  beforeEach(() => {
    fakes.clearRequests();
  });

  it('system-assigned uses the configured IMDS', async () => {
    const outcome = await tokenOutcome(fakes.imds.url, '', ARM_SCOPE);

    assert.equal(outcome.ok, true, outcome.errorMessage);
    assert.equal(outcome.claims?.oid, system.objectId);
    assert.equal(outcome.claims?.aud, 'https://management.core.windows.net/');
    const [request] = fakes.requests('imds');
    assert.equal(request.query.resource, 'https://management.core.windows.net/');
    assert.equal(request.query.client_id, undefined);
  });

  it('user-assigned sends its client id', async () => {
    const outcome = await tokenOutcome(fakes.imds.url, builder.clientId, ACR_SCOPE);

    assert.equal(outcome.ok, true, outcome.errorMessage);
    assert.equal(outcome.claims?.oid, builder.objectId);
    assert.equal(outcome.claims?.aud, 'https://containerregistry.azure.net');
    assert.equal(fakes.requests('imds')[0].query.client_id, builder.clientId);
  });

  it('unknown identity fails the request', async () => {
    const outcome = await tokenOutcome(fakes.imds.url, '2f5e7c1a-0000-4000-8000-000000000009', ARM_SCOPE);

    assert.equal(outcome.ok, false);
    assert.equal(outcome.errorName, 'TokenRequestError');
    assert.match(outcome.errorMessage ?? '', /Identity not found/);
  });

  it('closed endpoint fails as unreachable', async () => {
    const closed = await closedPort();
    const outcome = await tokenOutcome(`http://127.0.0.1:${closed}`, '', ARM_SCOPE);

    assert.equal(outcome.ok, false);
    assert.equal(outcome.errorName, 'TokenRequestError');
    assert.match(outcome.errorMessage ?? '', /Network unreachable/);
  });

  it('silent endpoint hits the time limit', async () => {
    const silent = await startSilentServer();
    try {
      const started = Date.now();
      const outcome = await tokenOutcome(silent.url, '', ARM_SCOPE, 1_500);

      assert.equal(outcome.ok, false);
      assert.equal(outcome.errorName, 'TokenRequestError');
      assert.match(outcome.errorMessage ?? '', /timed out after 1.5 s/);
      assert.ok(Date.now() - started < 60_000, 'the request outlived its time limit');
      assert.ok(silent.connections() > 0, 'the credential never connected to the endpoint');
    } finally {
      await silent.stop();
    }
  });
});

/** Returns a port of 127.0.0.1 that had a listener a moment ago and has none now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts a TCP server on 127.0.0.1 that accepts connections and never responds. */
async function startSilentServer(): Promise<{ url: string; connections: () => number; stop: () => Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => sockets.length,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
