// Emulates one run of curl (curl/curl src/tool_operate.c) in the curlimages/curl image: parse
// the command line, run the transfer, retry transient errors with `--retry`, write the body to
// `--output` (or to stdout, the container log), and exit with curl's error code. Error lines go
// to stderr unless `--silent` is set without `--show-error`, and warnings only without `--silent`.
// NOTE: curl's progress meter, which it prints to stderr without `--silent`, is left out.
import { setTimeout as sleep } from 'node:timers/promises';
import { FAILED_INIT, parseCurlArgs, type CurlOptions, type CurlVersion } from './args';
import { CURLE, transfer, type TransferResult } from './transfer';

export interface CurlRequest {
  /** The curl release of the image; undefined for `latest` and digest references. */
  version?: CurlVersion;
  args: readonly string[];
  /** The container's environment, which `--variable %NAME` reads. */
  env: Readonly<Record<string, string>>;
  /** The container's working directory, which relative `--output` paths start from. */
  workingDir: string;
  /** Creates or replaces a file in the container; returns the errno name when it cannot. */
  writeFile(path: string, content: Buffer): string | undefined;
  caCertificates?: readonly string[];
  signal: AbortSignal;
  /** Receives each line of the container's output, without its newline. */
  writeLine(line: string): void;
}

/** The retry kinds that curl's retrycheck names in its warning. */
type RetryKind = 'all errors' | 'timeout' | 'connection refused' | 'HTTP error';

/** The first pause between retries and its cap (RETRY_SLEEP_DEFAULT and RETRY_SLEEP_MAX in src/tool_main.h). */
const FIRST_RETRY_DELAY_MS = 1000;
const MAX_RETRY_DELAY_MS = 600_000;
/** HTTP statuses that curl retries (src/tool_operate.c, retrycheck, curl 8.16.0). */
const TRANSIENT_STATUSES = [408, 429, 500, 502, 503, 504];
/** musl's strerror texts for the errno names that writes return. */
const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EROFS: 'Read-only file system',
  EISDIR: 'Is a directory',
};

/** Runs the emulated curl to its exit code. */
export async function runCurl(request: CurlRequest): Promise<number> {
  const parsed = parseCurlArgs(request.args, request.version, request.env);
  for (const line of parsed.lines) request.writeLine(line);
  if (parsed.kind === 'error') return parsed.exitCode;
  const { options } = parsed;
  if (options.urls.length > 1) {
    request.writeLine('curl: the local cluster emulates one URL per curl command');
    return FAILED_INIT;
  }
  const url = parseUrl(options.urls[0]);
  if ('code' in url) return fail(request, options, url.code, url.message);
  return new CurlRun(request, options, url).run();
}

class CurlRun {
  private readonly output: OutputFile | undefined;
  private readonly retryStart = Date.now();

  constructor(private readonly request: CurlRequest, private readonly options: CurlOptions, private readonly url: URL) {
    const warn = (message: string): void => this.warn(message);
    this.output = options.output === undefined ? undefined : new OutputFile(request, options.output, warn);
  }

  async run(): Promise<number> {
    let retriesLeft = this.options.retry;
    let delayMs = this.options.retryDelayMs ?? FIRST_RETRY_DELAY_MS;
    for (;;) {
      this.output?.reset();
      const result = await this.attempt();
      const retry = retriesLeft > 0 && this.withinRetryTime() ? retryKind(result, this.options) : undefined;
      if (!retry) return this.finish(result);
      const pauseMs = retry === 'HTTP error' ? Math.max(delayMs, (result.retryAfterSeconds ?? 0) * 1000) : delayMs;
      const seconds = Math.floor(pauseMs / 1000);
      const left = `${retriesLeft} ${retriesLeft > 1 ? 'retries' : 'retry'} left`;
      this.warn(`Problem : ${retry}. Will retry in ${seconds} second${seconds === 1 ? '' : 's'}. ${left}.`);
      retriesLeft -= 1;
      // NOTE: curl 8.16.0 keeps the first pause for every retry; the other releases double it.
      if (this.options.retryDelayMs === undefined) delayMs = Math.min(delayMs * 2, MAX_RETRY_DELAY_MS);
      await sleep(pauseMs, undefined, { signal: this.request.signal });
    }
  }

  private attempt(): Promise<TransferResult> {
    const version = this.request.version ? this.request.version.join('.') : '8.21.0';
    return transfer({
      url: this.url,
      location: this.options.location,
      fail: this.options.fail,
      insecure: this.options.insecure,
      caCertificates: this.request.caCertificates,
      connectTimeoutMs: this.options.connectTimeoutMs,
      maxTimeMs: this.options.maxTimeMs,
      userAgent: `curl/${version}`,
      signal: this.request.signal,
      writeBody: (chunk) => (this.output ? this.output.write(chunk) : this.writeToStdout(chunk)),
    });
  }

  private finish(result: TransferResult): number {
    if (this.output) this.output.flush();
    if (!result.ok) return fail(this.request, this.options, result.code, result.message);
    // curl creates an empty file for a successful transfer that received no data.
    const createError = this.output?.createIfMissing();
    if (createError) return fail(this.request, this.options, CURLE.WRITE_ERROR, 'Failed writing received data to disk/application');
    return 0;
  }

  private withinRetryTime(): boolean {
    const limit = this.options.retryMaxTimeMs;
    return limit === undefined || limit === 0 || Date.now() - this.retryStart < limit;
  }

  /** NOTE: the body goes to the log line by line, which turns binary data into text. */
  private writeToStdout(chunk: Buffer): undefined {
    for (const line of chunk.toString('utf8').replace(/\n$/, '').split('\n')) this.request.writeLine(line);
    return undefined;
  }

  private warn(message: string): void {
    if (!this.options.silent) this.request.writeLine(`Warning: ${message}`);
  }
}

/** The `--output` file, opened at the first write as curl's tool_create_output_file does. */
class OutputFile {
  private chunks: Buffer[] = [];
  private opened = false;

  constructor(
    private readonly request: CurlRequest,
    private readonly path: string,
    /** Prints a warning, which `--silent` mutes. */
    private readonly warn: (message: string) => void,
  ) {}

  /** Throws away what an earlier attempt wrote, as curl truncates the file before a retry. */
  reset(): void {
    this.chunks = [];
    if (this.opened) this.request.writeFile(this.absolutePath(), Buffer.alloc(0));
  }

  /** Takes a chunk of the body; returns curl's message when the file cannot be opened. */
  write(chunk: Buffer): string | undefined {
    if (!this.opened) {
      const error = this.open();
      if (error) return `client returned ERROR on write of ${chunk.length} bytes`;
    }
    this.chunks.push(chunk);
    return undefined;
  }

  /** Stores what was received so far, also after a failed transfer. */
  flush(): void {
    if (this.opened) this.request.writeFile(this.absolutePath(), Buffer.concat(this.chunks));
  }

  /** Creates the empty file of a transfer that received no body; returns the errno name on failure. */
  createIfMissing(): string | undefined {
    return this.opened ? undefined : this.open();
  }

  private open(): string | undefined {
    const error = this.request.writeFile(this.absolutePath(), Buffer.alloc(0));
    if (error) {
      this.warn(`Failed to open the file ${this.path}: ${ERRNO_TEXT[error] ?? error}`);
      return error;
    }
    this.opened = true;
    return undefined;
  }

  private absolutePath(): string {
    return this.path.startsWith('/') ? this.path : `${this.request.workingDir.replace(/\/$/, '')}/${this.path}`;
  }
}

/** Returns why curl's retrycheck retries a result, or undefined when it does not. */
function retryKind(result: TransferResult, options: CurlOptions): RetryKind | undefined {
  if (!result.ok && (result.code === CURLE.OPERATION_TIMEDOUT || result.code === CURLE.COULDNT_RESOLVE_HOST)) return 'timeout';
  if (!result.ok && result.connectionRefused && options.retryConnectionRefused) return 'connection refused';
  const httpResult = result.ok || result.code === CURLE.HTTP_RETURNED_ERROR;
  if (httpResult && result.status !== undefined && TRANSIENT_STATUSES.includes(result.status)) return 'HTTP error';
  if (!result.ok && options.retryAllErrors) return 'all errors';
  return undefined;
}

/** Parses the URL as curl does, guessing `http://` when it names no scheme. */
function parseUrl(text: string): URL | { code: number; message: string } {
  const withScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { code: CURLE.URL_MALFORMAT, message: 'URL rejected: Malformed input to a URL function' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { code: CURLE.UNSUPPORTED_PROTOCOL, message: `the local cluster emulates only http:// and https:// URLs, not ${url.protocol}//` };
  }
  return url;
}

/** Prints curl's error line unless `--silent` mutes it, and returns the exit code. */
function fail(request: CurlRequest, options: CurlOptions, code: number, message: string): number {
  if (!options.silent || options.showError) {
    request.writeLine(`curl: (${code}) ${message}`);
    // NOTE: curl follows this line with a paragraph about certificate verification.
    if (code === CURLE.PEER_FAILED_VERIFICATION) request.writeLine('More details here: https://curl.se/docs/sslcerts.html');
  }
  return code;
}
