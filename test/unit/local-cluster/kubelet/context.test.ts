import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { generateServerCertificates, type ServerCertificates } from '../../../../tools/local-cluster/apiserver/certificates';
import { unpackContextArchive } from '../../../../tools/local-cluster/kubelet/executor/archive';
import { ContainerFiles } from '../../../../tools/local-cluster/kubelet/executor/container-files';
import { resolveContext, type ContextRequest } from '../../../../tools/local-cluster/kubelet/executor/context';
import { KanikoLogger } from '../../../../tools/local-cluster/kubelet/executor/log';
import { makeContextArchive } from './helpers';

async function unpackError(data: Buffer): Promise<string> {
  try {
    await unpackContextArchive(data);
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail('expected the archive to be rejected');
}

function contextRequest(context: string, mounted: Record<string, Buffer>, extra: Partial<ContextRequest> = {}): ContextRequest {
  const lines: string[] = [];
  return {
    context,
    contextSubPath: '',
    env: {},
    files: new ContainerFiles(new Map(Object.entries(mounted))),
    logger: new KanikoLogger({ format: 'text', level: 'info', fullTimestamps: false, writeLine: (line) => lines.push(line) }),
    resolveBlobService: () => undefined,
    doubleAzureBlobPath: false,
    signal: new AbortController().signal,
    ...extra,
  };
}

async function contextError(request: ContextRequest): Promise<string> {
  try {
    await resolveContext(request);
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail('expected the context to be rejected');
}

describe('build context archive', () => {
  it('unpacks files, directories and symlinks', async () => {
    const tree = await unpackContextArchive(await makeContextArchive({
      'Dockerfile': 'FROM alpine',
      'src/': { type: 'directory' },
      'src/app.py': 'print(1)',
      './src/./lib/../main.py': 'main',
      'link': { type: 'symlink', linkname: 'src/app.py' },
    }));
    assert.deepEqual([...tree.keys()].sort(), ['Dockerfile', 'link', 'src', 'src/app.py', 'src/main.py']);
    assert.deepEqual(tree.get('link'), { type: 'symlink', target: 'src/app.py' });
  });

  it('rejects data that is not gzip', async () => {
    assert.equal(await unpackError(Buffer.from('this is plain text, not a gzip stream')), 'gzip: invalid header');
  });

  it('rejects an empty and a truncated gzip stream', async () => {
    const archive = await makeContextArchive({ Dockerfile: 'FROM alpine\n'.repeat(50) });
    assert.equal(await unpackError(Buffer.alloc(0)), 'EOF');
    assert.equal(await unpackError(archive.subarray(0, archive.length - 12)), 'unexpected EOF');
  });

  it('rejects a corrupted checksum', async () => {
    const archive = Buffer.from(await makeContextArchive({ Dockerfile: 'FROM alpine' }));
    archive[archive.length - 6] ^= 0xff;
    assert.equal(await unpackError(archive), 'gzip: invalid checksum');
  });

  it('rejects gzip data that is not a tar archive', async () => {
    assert.equal(await unpackError(gzipSync(Buffer.alloc(1024, 'x'))), 'archive/tar: invalid tar header');
  });

  it('rejects entries that leave the context', async () => {
    const archive = await makeContextArchive({ 'a/../../etc/passwd': 'root' });
    assert.equal(await unpackError(archive), 'tar entry "a/../../etc/passwd" is not allowed: references parent directory');
  });

  it('rejects absolute entries', async () => {
    const archive = await makeContextArchive({ '/etc/passwd': 'root' });
    assert.equal(await unpackError(archive), 'tar entry "/etc/passwd" is not allowed: absolute path');
  });

  it('rejects hard links that leave the context', async () => {
    const archive = await makeContextArchive({ 'link': { type: 'link', linkname: '../secret' } });
    assert.equal(await unpackError(archive), 'hardlink target "../secret" is not allowed: references parent directory');
  });
});

describe('build context sources', () => {
  it('reads a tar:// archive from a mounted file', async () => {
    const archive = await makeContextArchive({ 'Dockerfile': 'FROM alpine', 'app/main.py': 'x' });
    const resolved = await resolveContext(contextRequest('tar:///ctx/context.tar.gz', { '/ctx/context.tar.gz': archive }));
    assert.equal(resolved.root, '/kaniko/buildcontext');
    assert.deepEqual(resolved.files, ['Dockerfile', 'app/main.py']);
    assert.match(resolved.fingerprint, /^[0-9a-f]{64}$/);
  });

  it('applies --context-sub-path and rejects a missing one', async () => {
    const archive = await makeContextArchive({ 'app/Dockerfile': 'FROM alpine' });
    const mounted = { '/ctx.tgz': archive };
    const resolved = await resolveContext(contextRequest('tar:///ctx.tgz', mounted, { contextSubPath: 'app' }));
    assert.equal(resolved.root, '/kaniko/buildcontext/app');
    assert.equal(
      await contextError(contextRequest('tar:///ctx.tgz', mounted, { contextSubPath: 'web' })),
      'stat /kaniko/buildcontext/web: no such file or directory',
    );
  });

  it('reads a directory context from mounted files', async () => {
    const resolved = await resolveContext(contextRequest('dir:///workspace', { '/workspace/Dockerfile': Buffer.from('FROM a') }));
    assert.equal(resolved.root, '/workspace');
    assert.deepEqual(resolved.files, ['Dockerfile']);
  });

  it('rejects http:// and unknown prefixes', async () => {
    const expected = 'unknown build context prefix provided, please use one of the following: gs://, dir://, tar://, s3://, git://, https://';
    assert.equal(await contextError(contextRequest('http://127.0.0.1/ctx.tgz', {})), expected);
    assert.equal(await contextError(contextRequest('ftp://host/ctx.tgz', {})), expected);
  });

  it('requires the storage key for an Azure Blob URL', async () => {
    const message = await contextError(contextRequest('https://acct.blob.core.windows.net/builds/ctx.tar.gz', {}));
    assert.equal(message, 'AZURE_STORAGE_ACCESS_KEY environment variable is not set');
  });

  it('recognises the sovereign cloud Blob hosts', async () => {
    for (const host of ['acct.blob.core.chinacloudapi.cn', 'acct.blob.core.usgovcloudapi.net', 'acct.blob.core.cloudapi.de']) {
      const message = await contextError(contextRequest(`https://${host}/builds/ctx.tar.gz`, {}));
      assert.equal(message, 'AZURE_STORAGE_ACCESS_KEY environment variable is not set', host);
    }
  });

  it('fails an Azure Blob host that does not resolve without connecting', async () => {
    const request = contextRequest('https://nowhere.blob.core.windows.net/builds/ctx.tar.gz', {}, { env: { AZURE_STORAGE_ACCESS_KEY: 'a2V5' } });
    assert.match(await contextError(request), /dial tcp: lookup nowhere\.blob\.core\.windows\.net: no such host$/);
  });

  it('never connects to a plain https host other than 127.0.0.1', async () => {
    const message = await contextError(contextRequest('https://example.com/ctx.tar.gz', {}));
    assert.equal(message, 'Get "https://example.com/ctx.tar.gz": dial tcp: lookup example.com: no such host');
  });

  it('rejects sources that need outside services', async () => {
    assert.equal(await contextError(contextRequest('s3://bucket/ctx.tgz', {})), 'the local cluster does not emulate s3:// build contexts');
  });
});

describe('https build context', function () {
  this.timeout(20_000);
  let certificates: ServerCertificates;
  let server: Server;
  let baseUrl: string;
  let archive: Buffer;

  before(async () => {
    certificates = await generateServerCertificates();
    archive = await makeContextArchive({ Dockerfile: 'FROM alpine:3.20', 'main.go': 'package main' });
    server = createServer({ cert: certificates.certPem, key: certificates.keyPem }, (request, response) => {
      if (request.url === '/context.tar.gz') {
        response.writeHead(200, { 'content-type': 'application/gzip' });
        response.end(archive);
        return;
      }
      response.writeHead(404);
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('downloads and unpacks the archive', async () => {
    const request = contextRequest(`${baseUrl}/context.tar.gz`, {}, { caCertificates: [certificates.caPem] });
    const resolved = await resolveContext(request);
    assert.deepEqual(resolved.files, ['Dockerfile', 'main.go']);
    assert.equal(request.files.readFile('/kaniko/buildcontext/main.go')?.toString(), 'package main');
  });

  it('fails on a status other than 200', async () => {
    const request = contextRequest(`${baseUrl}/missing.tar.gz`, {}, { caCertificates: [certificates.caPem] });
    assert.equal(await contextError(request), 'HTTPSTar bad status from server: 404 Not Found');
  });

  it('rejects a certificate the container does not trust', async () => {
    const message = await contextError(contextRequest(`${baseUrl}/context.tar.gz`, {}));
    assert.equal(message, `Get "${baseUrl}/context.tar.gz": tls: failed to verify certificate: x509: certificate signed by unknown authority`);
  });
});
