// One transfer of the emulated curl: a GET with Node's HTTP client, following redirects with
// `--location`, that fails with curl's error codes and messages (curl/curl lib/strerror.c and
// the failf calls of lib/, curl 8.16.0). TLS certificates are verified against Node's roots and
// the kubelet's extra CA certificates unless `--insecure` is set.
// NOTE: the local cluster connects only to 127.0.0.1. Other host names do not resolve, and
// other addresses fail to connect, so no request leaves the machine.
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';

export interface TransferRequest {
  url: URL;
  location: boolean;
  fail: boolean;
  insecure: boolean;
  caCertificates?: readonly string[];
  connectTimeoutMs?: number;
  maxTimeMs?: number;
  userAgent: string;
  signal: AbortSignal;
  /** Receives the final response's body; returns curl's error message to stop the transfer with code 23. */
  writeBody(chunk: Buffer): string | undefined;
}

export type TransferFailure = {
  ok: false;
  code: number;
  message: string;
  status?: number;
  retryAfterSeconds?: number;
  connectionRefused?: boolean;
};

export type TransferResult = { ok: true; status: number; retryAfterSeconds?: number } | TransferFailure;

/** curl's error codes (include/curl/curl.h). */
export const CURLE = {
  UNSUPPORTED_PROTOCOL: 1,
  URL_MALFORMAT: 3,
  COULDNT_RESOLVE_HOST: 6,
  COULDNT_CONNECT: 7,
  HTTP_RETURNED_ERROR: 22,
  WRITE_ERROR: 23,
  OPERATION_TIMEDOUT: 28,
  SSL_CONNECT_ERROR: 35,
  TOO_MANY_REDIRECTS: 47,
  GOT_NOTHING: 52,
  RECV_ERROR: 56,
  PEER_FAILED_VERIFICATION: 60,
} as const;

/** curl's default of `--max-redirs`. */
const MAX_REDIRECTS = 50;
/** curl's default connect timeout (DEFAULT_CONNECT_TIMEOUT in lib/connect.h), in milliseconds. */
const DEFAULT_CONNECT_TIMEOUT_MS = 300_000;
const LOOPBACK_ADDRESSES = ['127.0.0.1', '::1'];
const REDIRECT_STATUSES = [301, 302, 303, 307, 308];
/**
 * The texts of OpenSSL's X509_verify_cert_error_string (crypto/x509/x509_txt.c), which curl
 * prints, keyed by the error code that Node sets for each verification error. Node's own message
 * is not used because Node 24 appends a hint about its --use-system-ca flag to some of them
 * (Node.js TLS docs, "X509 certificate error codes").
 * NOTE: the texts are those of OpenSSL 3.5. OpenSSL's main branch adds "or the system clock is
 * incorrect" to the CERT_NOT_YET_VALID text.
 */
const CERTIFICATE_ERRORS = new Map([
  ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'],
  ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'],
  ['UNABLE_TO_GET_ISSUER_CERT', 'unable to get issuer certificate'],
  ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unable to get local issuer certificate'],
  ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'],
  ['CERT_HAS_EXPIRED', 'certificate has expired'],
  ['CERT_NOT_YET_VALID', 'certificate is not yet valid'],
  ['CERT_UNTRUSTED', 'certificate not trusted'],
  ['CERT_REVOKED', 'certificate revoked'],
  ['CERT_SIGNATURE_FAILURE', 'certificate signature failure'],
  ['INVALID_CA', 'invalid CA certificate'],
]);

/** Runs one transfer, following at most 50 redirects when `location` is set. */
export function transfer(request: TransferRequest): Promise<TransferResult> {
  return new Transfer(request).run();
}

class Transfer {
  private readonly started = Date.now();
  private readonly controller = new AbortController();
  private received = 0;
  private expected?: number;
  private connected = false;

  constructor(private readonly request: TransferRequest) {}

  async run(): Promise<TransferResult> {
    const { signal } = this.request;
    signal.throwIfAborted();
    let onAbort = (): void => undefined;
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => {
        this.controller.abort(signal.reason);
        reject(signal.reason);
      };
    });
    signal.addEventListener('abort', onAbort, { once: true });
    const timers: NodeJS.Timeout[] = [];
    const timeouts = new Promise<TransferFailure>((resolve) => {
      const connectLimit = this.request.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
      timers.push(setTimeout(() => {
        if (!this.connected) resolve(this.timedOut(Date.now() - this.started));
      }, connectLimit));
      const maxTime = this.request.maxTimeMs;
      if (maxTime !== undefined) timers.push(setTimeout(() => resolve(this.timedOut(Date.now() - this.started)), maxTime));
    });
    try {
      const result = await Promise.race([this.follow(), timeouts, aborted]);
      this.controller.abort();
      return result;
    } finally {
      for (const timer of timers) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  private async follow(): Promise<TransferResult> {
    let url = this.request.url;
    for (let redirects = 0; ; redirects += 1) {
      const outcome = await this.fetch(url);
      if (!('response' in outcome)) return outcome;
      const { response } = outcome;
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (!this.request.location || !REDIRECT_STATUSES.includes(status) || !location) return this.readBody(response);
      response.resume();
      if (redirects === MAX_REDIRECTS) {
        return { ok: false, code: CURLE.TOO_MANY_REDIRECTS, message: `Maximum (${MAX_REDIRECTS}) redirects followed` };
      }
      url = new URL(location, url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        return { ok: false, code: CURLE.UNSUPPORTED_PROTOCOL, message: `Protocol "${url.protocol.slice(0, -1)}" not supported` };
      }
    }
  }

  private fetch(url: URL): Promise<{ response: IncomingMessage } | TransferFailure> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const address = host === 'localhost' ? '127.0.0.1' : host;
    if (!isIP(address)) {
      return Promise.resolve({ ok: false, code: CURLE.COULDNT_RESOLVE_HOST, message: `Could not resolve host: ${host}` });
    }
    if (!LOOPBACK_ADDRESSES.includes(address)) return Promise.resolve(this.connectFailure(host, port));
    const secure = url.protocol === 'https:';
    return new Promise((resolve) => {
      const options = {
        host: address,
        port,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        agent: false as const,
        signal: this.controller.signal,
        headers: { Host: url.host, 'User-Agent': this.request.userAgent, Accept: '*/*' },
        ...(secure ? this.tlsOptions(host) : {}),
      };
      const client = (secure ? httpsRequest : httpRequest)(options, (response) => resolve({ response }));
      client.on('socket', (socket) => socket.once(secure ? 'secureConnect' : 'connect', () => (this.connected = true)));
      client.on('error', (error: NodeJS.ErrnoException) => {
        if (!this.controller.signal.aborted) resolve(this.describeError(error, host, port));
      });
      client.end();
    });
  }

  private tlsOptions(host: string): Record<string, unknown> {
    const extra = this.request.caCertificates;
    return {
      // `ca` replaces Node's roots, so they are passed along with the extra certificates.
      ca: extra && extra.length > 0 ? [...rootCertificates, ...extra] : undefined,
      rejectUnauthorized: !this.request.insecure,
      servername: isIP(host) ? undefined : host,
    };
  }

  private readBody(response: IncomingMessage): Promise<TransferResult> {
    const status = response.statusCode ?? 0;
    const retryAfterSeconds = parseRetryAfter(response.headers['retry-after']);
    if (this.request.fail && status >= 400) {
      response.resume();
      return Promise.resolve({
        ok: false, code: CURLE.HTTP_RETURNED_ERROR, message: `The requested URL returned error: ${status}`, status, retryAfterSeconds,
      });
    }
    const length = response.headers['content-length'];
    this.expected = length === undefined ? undefined : Number(length);
    return new Promise((resolve) => {
      response.on('data', (chunk: Buffer) => {
        this.received += chunk.length;
        const writeError = this.request.writeBody(chunk);
        if (writeError === undefined) return;
        response.destroy();
        resolve({ ok: false, code: CURLE.WRITE_ERROR, message: writeError, status });
      });
      response.on('end', () => resolve({ ok: true, status, retryAfterSeconds }));
      response.on('error', (error: NodeJS.ErrnoException) => {
        if (this.controller.signal.aborted) return;
        const reason = error.code === 'ECONNRESET' || error.message === 'aborted' ? 'Connection reset by peer' : error.message;
        resolve({ ok: false, code: CURLE.RECV_ERROR, message: `Recv failure: ${reason}`, status });
      });
    });
  }

  private timedOut(elapsed: number): TransferFailure {
    if (!this.connected) return { ok: false, code: CURLE.OPERATION_TIMEDOUT, message: `Connection timed out after ${elapsed} milliseconds` };
    const total = this.expected === undefined ? '' : ` out of ${this.expected}`;
    return {
      ok: false,
      code: CURLE.OPERATION_TIMEDOUT,
      message: `Operation timed out after ${elapsed} milliseconds with ${this.received}${total} bytes received`,
    };
  }

  private describeError(error: NodeJS.ErrnoException, host: string, port: number): TransferFailure {
    const code = error.code ?? '';
    if (code === 'ECONNREFUSED') return { ...this.connectFailure(host, port), connectionRefused: true };
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      const kind = isIP(host) === 4 ? 'ipv4 address' : isIP(host) === 6 ? 'ipv6 address' : 'hostname';
      return { ok: false, code: CURLE.PEER_FAILED_VERIFICATION, message: `SSL: no alternative certificate subject name matches target ${kind} '${host}'` };
    }
    const certificateProblem = CERTIFICATE_ERRORS.get(code);
    if (certificateProblem !== undefined) {
      return { ok: false, code: CURLE.PEER_FAILED_VERIFICATION, message: `SSL certificate problem: ${certificateProblem}` };
    }
    if (code === 'ECONNRESET' && error.message.includes('socket hang up')) {
      return { ok: false, code: CURLE.GOT_NOTHING, message: 'Empty reply from server' };
    }
    if (code.startsWith('ERR_SSL') || code === 'EPROTO') {
      // NOTE: curl names the failing OpenSSL call here; the emulation gives Node's message.
      return { ok: false, code: CURLE.SSL_CONNECT_ERROR, message: `TLS connect error: ${error.message}` };
    }
    return { ok: false, code: CURLE.RECV_ERROR, message: `Recv failure: ${error.message}` };
  }

  private connectFailure(host: string, port: number): TransferFailure {
    return {
      ok: false,
      code: CURLE.COULDNT_CONNECT,
      message: `Failed to connect to ${host} port ${port} after ${Date.now() - this.started} ms: Could not connect to server`,
    };
  }
}

/** Reads Retry-After as seconds from now, in either of its forms (RFC 9110 section 10.2.3). */
function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}
