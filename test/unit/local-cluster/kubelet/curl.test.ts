import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { generateServerCertificates, type ServerCertificates } from '../../../../tools/local-cluster/apiserver/certificates';
import { parseCurlArgs, type CurlVersion } from '../../../../tools/local-cluster/kubelet/curl/args';
import { runCurl, type CurlRequest } from '../../../../tools/local-cluster/kubelet/curl/run';

const HELP = "curl: try 'curl --help' or 'curl --manual' for more information";
const TASK_ARGS = ['--fail', '--silent', '--show-error', '--location', '--retry', '3', '--output', '/workspace/context.tar.gz'];

interface CurlOutcome {
  exitCode: number;
  lines: string[];
  files: Map<string, Buffer>;
  durationMs: number;
}

/** Runs the emulated curl with an in-memory file system; `failWrites` maps paths to the errno their writes return. */
async function curl(
  args: string[],
  options: { version?: CurlVersion; env?: Record<string, string>; caCertificates?: string[]; failWrites?: Record<string, string> } = {},
): Promise<CurlOutcome> {
  const lines: string[] = [];
  const files = new Map<string, Buffer>();
  const request: CurlRequest = {
    version: options.version,
    args,
    env: options.env ?? {},
    workingDir: '/home/curl_user',
    writeFile: (path, content) => {
      const error = options.failWrites?.[path];
      if (error) return error;
      files.set(path, content);
      return undefined;
    },
    caCertificates: options.caCertificates,
    signal: new AbortController().signal,
    writeLine: (line) => lines.push(line),
  };
  const started = Date.now();
  const exitCode = await runCurl(request);
  return { exitCode, lines, files, durationMs: Date.now() - started };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('curl emulation: command line', () => {
  it('reads the options of the task', () => {
    const parsed = parseCurlArgs([...TASK_ARGS, 'http://127.0.0.1:10000/devstoreaccount1/contexts/a.tar.gz?sv=1&sig=x']);
    assert.equal(parsed.kind, 'run');
    if (parsed.kind !== 'run') return;
    const { options } = parsed;
    assert.deepEqual(
      [options.fail, options.silent, options.showError, options.location, options.retry, options.output],
      [true, true, true, true, 3, '/workspace/context.tar.gz'],
    );
    assert.deepEqual(options.urls, ['http://127.0.0.1:10000/devstoreaccount1/contexts/a.tar.gz?sv=1&sig=x']);
  });

  it('reads bundled one-letter options and attached values', () => {
    const bundled = parseCurlArgs(['-fsSLo', '/tmp/a', 'http://127.0.0.1/']);
    assert.equal(bundled.kind === 'run' && bundled.options.output, '/tmp/a');
    assert.equal(bundled.kind === 'run' && bundled.options.location, true);
    const attached = parseCurlArgs(['-o/tmp/b', 'http://127.0.0.1/']);
    assert.equal(attached.kind === 'run' && attached.options.output, '/tmp/b');
  });

  it('rejects unknown options as curl does', () => {
    assert.deepEqual(parseCurlArgs(['--frobnicate', 'http://127.0.0.1/']), {
      kind: 'error', lines: ['curl: option --frobnicate: is unknown', HELP], exitCode: 2,
    });
    assert.deepEqual(parseCurlArgs(['-fW', 'http://127.0.0.1/']), {
      kind: 'error', lines: ['curl: option -fW: is unknown', HELP], exitCode: 2,
    });
  });

  it('names a curl option that the emulation does not run', () => {
    const parsed = parseCurlArgs(['--compressed', 'http://127.0.0.1/']);
    assert.equal(parsed.kind, 'error');
    if (parsed.kind !== 'error') return;
    assert.equal(parsed.exitCode, 2);
    assert.match(parsed.lines[0], /^curl: the local cluster does not emulate the curl option --compressed; the emulation runs --connect-timeout, /);
    assert.match((parseCurlArgs(['-v', 'http://127.0.0.1/']) as { lines: string[] }).lines[0], /option -v, --verbose;/);
  });

  it('rejects a missing or malformed value', () => {
    assert.deepEqual(parseCurlArgs(['http://127.0.0.1/', '--output']), {
      kind: 'error', lines: ['curl: option --output: requires parameter', HELP], exitCode: 2,
    });
    assert.deepEqual(parseCurlArgs(['--retry', 'three', 'http://127.0.0.1/']), {
      kind: 'error', lines: ['curl: option --retry: expected a proper numerical parameter', HELP], exitCode: 2,
    });
    assert.deepEqual(parseCurlArgs(['--retry', '-1', 'http://127.0.0.1/']), {
      kind: 'error', lines: ['curl: option --retry: expected a positive numerical parameter', HELP], exitCode: 2,
    });
  });

  it('reads --name=value from curl 8.16.0 on', () => {
    const current = parseCurlArgs(['--output=/tmp/a', 'http://127.0.0.1/'], [8, 16, 0]);
    assert.equal(current.kind === 'run' && current.options.output, '/tmp/a');
    assert.deepEqual(parseCurlArgs(['--output=/tmp/a', 'http://127.0.0.1/'], [8, 15, 0]), {
      kind: 'error', lines: ['curl: option --output=/tmp/a: is unknown', HELP], exitCode: 2,
    });
  });

  it('accepts abbreviated long options before curl 8.6.0 only', () => {
    const old = parseCurlArgs(['--sil', 'http://127.0.0.1/'], [8, 5, 0]);
    assert.equal(old.kind === 'run' && old.options.silent, true);
    assert.equal(parseCurlArgs(['--sil', 'http://127.0.0.1/'], [8, 6, 0]).kind, 'error');
    assert.deepEqual(parseCurlArgs(['--re', 'http://127.0.0.1/'], [8, 5, 0]), {
      kind: 'error', lines: ['curl: option --re: is ambiguous', HELP], exitCode: 2,
    });
  });

  it('turns booleans off with --no- and refuses it elsewhere', () => {
    const parsed = parseCurlArgs(['--silent', '--no-silent', 'http://127.0.0.1/']);
    assert.equal(parsed.kind === 'run' && parsed.options.silent, false);
    assert.deepEqual(parseCurlArgs(['--no-output', 'http://127.0.0.1/']), {
      kind: 'error', lines: ['curl: option --no-output: the given option cannot be reversed with a --no- prefix', HELP], exitCode: 2,
    });
  });

  it('imports a variable and expands it in --expand-url', () => {
    const env = { CONTEXT_URL: 'http://127.0.0.1:10000/devstoreaccount1/contexts/a.tar.gz?sig=secret' };
    const parsed = parseCurlArgs(['--variable', '%CONTEXT_URL', '--expand-url', '{{CONTEXT_URL}}'], [8, 16, 0], env);
    assert.equal(parsed.kind, 'run');
    if (parsed.kind !== 'run') return;
    assert.deepEqual(parsed.options.urls, [env.CONTEXT_URL]);
    assert.deepEqual(parsed.lines, []);
  });

  it('fails on a variable the environment lacks', () => {
    assert.deepEqual(parseCurlArgs(['--variable', '%CONTEXT_URL', '--expand-url', '{{CONTEXT_URL}}'], [8, 16, 0], {}), {
      kind: 'error',
      lines: ["curl: Variable 'CONTEXT_URL' import fail, not set", 'curl: option --variable: variable expansion failure', HELP],
      exitCode: 2,
    });
    const defaulted = parseCurlArgs(['--variable', '%HOST=127.0.0.1', '--expand-url', 'http://{{HOST}}/'], [8, 16, 0], {});
    assert.deepEqual(defaulted.kind === 'run' && defaulted.options.urls, ['http://127.0.0.1/']);
  });

  it('expands variables as curl does', () => {
    const parsed = parseCurlArgs([
      '--variable', 'DIR=/workspace',
      '--expand-output', '{{DIR}}/\\{{kept}}{{unset}}{{bad-name}}',
      'http://127.0.0.1/',
    ], [8, 16, 0]);
    assert.equal(parsed.kind, 'run');
    if (parsed.kind !== 'run') return;
    assert.equal(parsed.options.output, '/workspace/{{kept}}{{bad-name}}');
    assert.deepEqual(parsed.lines, ['Warning: bad variable name: bad-name']);
    const untouched = parseCurlArgs(['--expand-output', '/tmp/\\{{literal}}', 'http://127.0.0.1/'], [8, 16, 0]);
    assert.equal(untouched.kind === 'run' && untouched.options.output, '/tmp/\\{{literal}}', 'nothing replaced keeps the backslash');
  });

  it('knows variables only from curl 8.3.0 on', () => {
    assert.deepEqual(parseCurlArgs(['--variable', 'A=1', 'http://127.0.0.1/'], [8, 2, 1]), {
      kind: 'error', lines: ['curl: option --variable: is unknown', HELP], exitCode: 2,
    });
    assert.deepEqual(parseCurlArgs(['--expand-url', 'http://127.0.0.1/'], [8, 2, 1]), {
      kind: 'error', lines: ['curl: option --expand-url: is unknown', HELP], exitCode: 2,
    });
  });

  it('rejects --expand- on a boolean option and names variable functions as a gap', () => {
    assert.deepEqual(parseCurlArgs(['--expand-fail', 'http://127.0.0.1/']), {
      kind: 'error', lines: ['curl: option --expand-fail: variable expansion failure', HELP], exitCode: 2,
    });
    const functions = parseCurlArgs(['--variable', 'A=x', '--expand-url', '{{A:trim}}']);
    assert.equal(functions.kind, 'error');
    assert.match((functions as { lines: string[] }).lines[0], /^curl: the local cluster does not emulate curl variable functions/);
  });

  it('needs a URL', () => {
    assert.deepEqual(parseCurlArgs(['--fail']), { kind: 'error', lines: ['curl: (2) no URL specified', HELP], exitCode: 2 });
    assert.deepEqual(parseCurlArgs([]), { kind: 'error', lines: [HELP], exitCode: 2 });
  });
});

describe('curl emulation: transfers', function () {
  this.timeout(20_000);
  let server: Server;
  let base: string;
  const hits = new Map<string, number>();

  before(async () => {
    server = createHttpServer((request: IncomingMessage, response: ServerResponse) => {
      const path = request.url ?? '/';
      const count = (hits.get(path) ?? 0) + 1;
      hits.set(path, count);
      if (path === '/context.tar.gz') return void response.end('archive bytes');
      if (path === '/forbidden') {
        response.writeHead(403, { 'Content-Type': 'application/xml' });
        return void response.end('<Error><Code>AuthenticationFailed</Code></Error>');
      }
      if (path === '/flaky') {
        response.writeHead(count === 1 ? 503 : 200);
        return void response.end(count === 1 ? 'busy' : 'second try');
      }
      if (path === '/moved') {
        response.writeHead(302, { Location: '/context.tar.gz' });
        return void response.end('moved');
      }
      if (path === '/empty') return void response.end();
      if (path === '/stalled') return;
      if (path === '/agent') return void response.end(request.headers['user-agent']);
      response.writeHead(404);
      response.end('not found');
    });
    base = `http://127.0.0.1:${await listen(server)}`;
  });

  after(() => {
    (server as ReturnType<typeof createHttpServer>).closeAllConnections();
    server.close();
  });

  it('writes the body to the output file and prints nothing', async () => {
    const outcome = await curl([...TASK_ARGS, `${base}/context.tar.gz`]);
    assert.equal(outcome.exitCode, 0);
    assert.deepEqual(outcome.lines, []);
    assert.equal(outcome.files.get('/workspace/context.tar.gz')?.toString(), 'archive bytes');
  });

  it('fails with code 22 on an HTTP error with --fail', async () => {
    const outcome = await curl([...TASK_ARGS, `${base}/forbidden`]);
    assert.equal(outcome.exitCode, 22);
    assert.deepEqual(outcome.lines, ['curl: (22) The requested URL returned error: 403']);
    assert.equal(outcome.files.size, 0, 'no file for a failed request');
    assert.equal(hits.get('/forbidden'), 1, '403 is not retried');
  });

  it('stays quiet with --silent and without --show-error', async () => {
    const outcome = await curl(['--fail', '--silent', '--output', '/tmp/x', `${base}/forbidden`]);
    assert.equal(outcome.exitCode, 22);
    assert.deepEqual(outcome.lines, []);
  });

  it('saves an error body without --fail', async () => {
    const outcome = await curl(['-sS', '-o', '/tmp/error.xml', `${base}/forbidden`]);
    assert.equal(outcome.exitCode, 0);
    assert.match(outcome.files.get('/tmp/error.xml')?.toString() ?? '', /AuthenticationFailed/);
  });

  it('retries a 503 after one second', async () => {
    const outcome = await curl(['--fail', '--show-error', '--retry', '1', '--output', '/tmp/flaky', `${base}/flaky`]);
    assert.equal(outcome.exitCode, 0);
    assert.equal(outcome.files.get('/tmp/flaky')?.toString(), 'second try');
    assert.deepEqual(outcome.lines, ['Warning: Problem : HTTP error. Will retry in 1 second. 1 retry left.']);
    assert.ok(outcome.durationMs >= 1000, `retried after ${outcome.durationMs} ms`);
  });

  it('fails with code 7 when the connection is refused', async () => {
    const closed = createHttpServer();
    const port = await listen(closed);
    closed.close();
    const outcome = await curl([...TASK_ARGS, `http://127.0.0.1:${port}/context.tar.gz`]);
    assert.equal(outcome.exitCode, 7);
    assert.match(outcome.lines[0], new RegExp(`^curl: \\(7\\) Failed to connect to 127\\.0\\.0\\.1 port ${port} after \\d+ ms: Could not connect to server$`));
  });

  it('resolves no host name but localhost', async () => {
    const outcome = await curl(['-sS', '-o', '/tmp/x', 'https://devstoreaccount1.blob.core.windows.net/contexts/a.tar.gz']);
    assert.equal(outcome.exitCode, 6);
    assert.deepEqual(outcome.lines, ['curl: (6) Could not resolve host: devstoreaccount1.blob.core.windows.net']);
    const local = await curl(['-sS', '-o', '/tmp/x', base.replace('127.0.0.1', 'localhost') + '/context.tar.gz']);
    assert.equal(local.exitCode, 0);
  });

  it('follows redirects with --location only', async () => {
    const followed = await curl(['-sSL', '-o', '/tmp/x', `${base}/moved`]);
    assert.equal(followed.files.get('/tmp/x')?.toString(), 'archive bytes');
    const unfollowed = await curl(['-sS', '-o', '/tmp/x', `${base}/moved`]);
    assert.equal(unfollowed.files.get('/tmp/x')?.toString(), 'moved');
  });

  it('creates an empty file for an empty body', async () => {
    const outcome = await curl(['-sS', '-o', 'empty.bin', `${base}/empty`]);
    assert.equal(outcome.exitCode, 0);
    assert.deepEqual(outcome.files.get('/home/curl_user/empty.bin'), Buffer.alloc(0));
  });

  it('fails with code 23 when the output file cannot be opened', async () => {
    const failWrites = { '/workspace/context.tar.gz': 'ENOENT' };
    const quiet = await curl([...TASK_ARGS, `${base}/context.tar.gz`], { failWrites });
    assert.equal(quiet.exitCode, 23);
    assert.deepEqual(quiet.lines, ['curl: (23) client returned ERROR on write of 13 bytes']);
    const loud = await curl(['--output', '/workspace/context.tar.gz', `${base}/context.tar.gz`], { failWrites });
    assert.deepEqual(loud.lines, [
      'Warning: Failed to open the file /workspace/context.tar.gz: No such file or directory',
      'curl: (23) client returned ERROR on write of 13 bytes',
    ]);
  });

  it('times out with code 28 after --max-time', async () => {
    const outcome = await curl(['-sS', '--max-time', '0.2', '-o', '/tmp/x', `${base}/stalled`]);
    assert.equal(outcome.exitCode, 28);
    assert.match(outcome.lines[0], /^curl: \(28\) Operation timed out after \d+ milliseconds with 0 bytes received$/);
  });

  it('guesses http:// and refuses other schemes', async () => {
    const guessed = await curl(['-sS', '-o', '/tmp/x', `${base.replace('http://', '')}/context.tar.gz`]);
    assert.equal(guessed.exitCode, 0);
    const ftp = await curl(['-sS', '-o', '/tmp/x', 'ftp://127.0.0.1/file']);
    assert.equal(ftp.exitCode, 1);
    assert.deepEqual(ftp.lines, ['curl: (1) the local cluster emulates only http:// and https:// URLs, not ftp://']);
  });

  it('prints the body without --output and sends its version', async () => {
    const outcome = await curl(['-s', `${base}/agent`], { version: [8, 16, 0] });
    assert.deepEqual(outcome.lines, ['curl/8.16.0']);
  });
});

describe('curl emulation: TLS', function () {
  this.timeout(20_000);
  let certificates: ServerCertificates;
  let server: ReturnType<typeof createHttpsServer>;
  let url: string;

  before(async () => {
    certificates = generateServerCertificates();
    server = createHttpsServer({ key: certificates.keyPem, cert: certificates.certPem }, (_request, response) => response.end('over TLS'));
    url = `https://127.0.0.1:${await listen(server)}/context.tar.gz`;
  });

  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('rejects a certificate that no trusted CA signed', async () => {
    const outcome = await curl([...TASK_ARGS, url]);
    assert.equal(outcome.exitCode, 60);
    assert.match(outcome.lines[0], /^curl: \(60\) SSL certificate problem: (unable to verify the first certificate|unable to get local issuer certificate)$/);
    assert.equal(outcome.lines[1], 'More details here: https://curl.se/docs/sslcerts.html');
    assert.equal(outcome.files.size, 0);
  });

  it('rejects a chain that ends in an untrusted root', async () => {
    const chained = createHttpsServer({ key: certificates.keyPem, cert: certificates.certPem + certificates.caPem }, (_request, response) => response.end('over TLS'));
    try {
      const outcome = await curl([...TASK_ARGS, `https://127.0.0.1:${await listen(chained)}/context.tar.gz`]);
      assert.equal(outcome.exitCode, 60);
      assert.equal(outcome.lines[0], 'curl: (60) SSL certificate problem: self-signed certificate in certificate chain');
    } finally {
      chained.closeAllConnections();
      chained.close();
    }
  });

  it('trusts the CA certificates of the node', async () => {
    const outcome = await curl([...TASK_ARGS, url], { caCertificates: [certificates.caPem] });
    assert.equal(outcome.exitCode, 0);
    assert.equal(outcome.files.get('/workspace/context.tar.gz')?.toString(), 'over TLS');
  });

  it('skips the check with --insecure', async () => {
    const outcome = await curl(['--insecure', ...TASK_ARGS, url]);
    assert.equal(outcome.exitCode, 0);
  });
});
