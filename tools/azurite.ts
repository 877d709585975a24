// Starts Azurite, Microsoft's Azure Storage emulator, as a child process that serves only
// Blob Storage on 127.0.0.1, keeps data in memory or in a given folder, and sends no telemetry.
// With `oauth` it serves HTTPS with a given or new certificate and accepts Entra ID bearer
// tokens, which Azurite allows only over HTTPS.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { generateServerCertificates, type ServerCertificates } from './local-cluster/apiserver/certificates';

/** Azurite's development account, public and documented by Microsoft for the emulator. */
export const DEV_ACCOUNT_NAME = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteBlob {
  /** Blob service URL of the development account, such as `http://127.0.0.1:41234/devstoreaccount1`. */
  blobEndpoint: string;
  accountName: string;
  accountKey: string;
  /** PEM of the CA that signed Azurite's certificate, with `oauth` only. */
  caPem?: string;
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  timeoutMs?: number;
  /**
   * Serves HTTPS and accepts bearer tokens (`--oauth basic`): Azurite checks a token's issuer,
   * audience and lifetime, but not its signature.
   */
  oauth?: boolean;
  /** The certificate to serve with `oauth`, for example the Azure fakes' so that one CA covers both; default a new one. */
  certificates?: ServerCertificates;
  /**
   * A folder for Azurite's blobs and metadata (`--location`), instead of memory. In memory Azurite
   * keeps at most 1024 MB of blob data here. Azurite 3.35 frees the space of deleted or
   * overwritten blobs only in a cleanup pass every 10 minutes (DEFAULT_GC_INTERVAL_MS).
   */
  location?: string;
}

/** Returns a TCP port that was free on 127.0.0.1 a moment ago. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts Azurite's blob service and resolves once it listens. */
export async function startAzurite(options: AzuriteOptions = {}): Promise<AzuriteBlob> {
  const port = await findFreePort();
  const tls = options.oauth ? await writeCertificates(options.certificates ?? generateServerCertificates()) : undefined;
  const azuriteMain = join(
    dirname(createRequire(__filename).resolve('azurite/package.json')),
    'dist', 'src', 'blob', 'main.js',
  );
  const child = spawn(
    process.execPath,
    [
      azuriteMain,
      '--blobHost', '127.0.0.1',
      '--blobPort', String(port),
      ...(options.location ? ['--location', options.location] : ['--inMemoryPersistence', '--extentMemoryLimit', '1024']),
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--silent',
      ...(tls ? ['--cert', tls.certPath, '--key', tls.keyPath, '--oauth', 'basic'] : []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const cleanUp = async (): Promise<void> => {
    if (tls) await rm(tls.directory, { recursive: true, force: true });
  };
  try {
    await waitForListening(child, options.timeoutMs ?? 30_000);
  } catch (error) {
    await cleanUp();
    throw error;
  }
  return {
    blobEndpoint: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/${DEV_ACCOUNT_NAME}`,
    accountName: DEV_ACCOUNT_NAME,
    accountKey: DEV_ACCOUNT_KEY,
    caPem: tls?.caPem,
    stop: async () => {
      await stopChild(child);
      await cleanUp();
    },
  };
}

/** Writes a certificate for 127.0.0.1 and its key into a temporary directory. */
async function writeCertificates(certificates: ServerCertificates): Promise<{ directory: string; certPath: string; keyPath: string; caPem: string }> {
  const directory = await mkdtemp(join(tmpdir(), 'azurite-tls-'));
  const certPath = join(directory, 'cert.pem');
  const keyPath = join(directory, 'key.pem');
  await writeFile(certPath, certificates.certPem);
  await writeFile(keyPath, certificates.keyPem, { mode: 0o600 });
  return { directory, certPath, keyPath, caPem: certificates.caPem };
}

function waitForListening(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Azurite did not start within ${timeoutMs} ms. Its output:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (/successfully listens on/i.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with code ${code} before it listened. Its output:\n${output}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
