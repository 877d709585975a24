// The command-line options of curl (curl/curl src/tool_getparam.c, the `aliases` table of
// curl 8.21.0). The emulation runs the options in EMULATED_OPTIONS. Any other option of curl
// makes the emulation stop with a message that names it, and a name that curl does not accept
// fails as curl reports it.
// NOTE: options added in later curl releases are known to every image, although older curl
// releases reject them as unknown.

/** The kind of value an option takes: none, a boolean that `--no-` can turn off, text, a whole number or seconds. */
export type OptionKind = 'none' | 'bool' | 'string' | 'unsigned' | 'seconds';

export interface OptionSpec {
  name: string;
  kind: OptionKind;
  short?: string;
}

/** The options that the emulated curl implements. */
export const EMULATED_OPTIONS: readonly OptionSpec[] = [
  { name: 'connect-timeout', kind: 'seconds' },
  { name: 'fail', kind: 'bool', short: 'f' },
  { name: 'insecure', kind: 'bool', short: 'k' },
  { name: 'location', kind: 'bool', short: 'L' },
  { name: 'max-time', kind: 'seconds', short: 'm' },
  { name: 'output', kind: 'string', short: 'o' },
  { name: 'retry', kind: 'unsigned' },
  { name: 'retry-all-errors', kind: 'bool' },
  { name: 'retry-connrefused', kind: 'bool' },
  { name: 'retry-delay', kind: 'seconds' },
  { name: 'retry-max-time', kind: 'seconds' },
  { name: 'show-error', kind: 'bool', short: 'S' },
  { name: 'silent', kind: 'bool', short: 's' },
  { name: 'url', kind: 'string' },
  { name: 'variable', kind: 'string' },
];

/** Every long option name of curl 8.21.0. */
export const CURL_LONG_OPTIONS: readonly string[] = [
  'abstract-unix-socket', 'alpn', 'alt-svc', 'anyauth', 'append', 'aws-sigv4', 'basic', 'buffer', 'ca-native',
  'cacert', 'capath', 'cert', 'cert-status', 'cert-type', 'ciphers', 'clobber', 'compressed', 'compressed-ssh',
  'config', 'connect-timeout', 'connect-to', 'continue-at', 'cookie', 'cookie-jar', 'create-dirs',
  'create-file-mode', 'crlf', 'crlfile', 'curves', 'data', 'data-ascii', 'data-binary', 'data-raw', 'data-urlencode',
  'delegation', 'digest', 'disable', 'disable-eprt', 'disable-epsv', 'disallow-username-in-url', 'dns-interface',
  'dns-ipv4-addr', 'dns-ipv6-addr', 'dns-servers', 'doh-cert-status', 'doh-insecure', 'doh-url', 'dump-ca-embed',
  'dump-header', 'ech', 'egd-file', 'engine', 'eprt', 'epsv', 'etag-compare', 'etag-save', 'expect100-timeout',
  'fail', 'fail-early', 'fail-with-body', 'false-start', 'follow', 'form', 'form-escape', 'form-string',
  'ftp-account', 'ftp-alternative-to-user', 'ftp-create-dirs', 'ftp-method', 'ftp-pasv', 'ftp-port', 'ftp-pret',
  'ftp-skip-pasv-ip', 'ftp-ssl', 'ftp-ssl-ccc', 'ftp-ssl-ccc-mode', 'ftp-ssl-control', 'ftp-ssl-reqd', 'get',
  'globoff', 'happy-eyeballs-timeout-ms', 'haproxy-clientip', 'haproxy-protocol', 'head', 'header', 'help',
  'hostpubmd5', 'hostpubsha256', 'hsts', 'http0.9', 'http1.0', 'http1.1', 'http2', 'http2-prior-knowledge', 'http3',
  'http3-only', 'ignore-content-length', 'include', 'insecure', 'interface', 'ip-tos', 'ipfs-gateway', 'ipv4',
  'ipv6', 'json', 'junk-session-cookies', 'keepalive', 'keepalive-cnt', 'keepalive-time', 'key', 'key-type',
  'knownhosts', 'krb', 'krb4', 'libcurl', 'limit-rate', 'list-only', 'local-port', 'location', 'location-trusted',
  'login-options', 'mail-auth', 'mail-from', 'mail-rcpt', 'mail-rcpt-allowfails', 'manual', 'max-filesize',
  'max-redirs', 'max-time', 'metalink', 'mptcp', 'negotiate', 'netrc', 'netrc-file', 'netrc-optional', 'next',
  'noproxy', 'npn', 'ntlm', 'ntlm-wb', 'oauth2-bearer', 'out-null', 'output', 'output-dir', 'parallel',
  'parallel-immediate', 'parallel-max', 'parallel-max-host', 'pass', 'path-as-is', 'pinnedpubkey', 'post301',
  'post302', 'post303', 'preproxy', 'progress-bar', 'progress-meter', 'proto', 'proto-default', 'proto-redir',
  'proxy', 'proxy-anyauth', 'proxy-basic', 'proxy-ca-native', 'proxy-cacert', 'proxy-capath', 'proxy-cert',
  'proxy-cert-type', 'proxy-ciphers', 'proxy-crlfile', 'proxy-digest', 'proxy-header', 'proxy-http2', 'proxy-http3',
  'proxy-insecure', 'proxy-key', 'proxy-key-type', 'proxy-negotiate', 'proxy-ntlm', 'proxy-pass',
  'proxy-pinnedpubkey', 'proxy-service-name', 'proxy-ssl-allow-beast', 'proxy-ssl-auto-client-cert',
  'proxy-tls13-ciphers', 'proxy-tlsauthtype', 'proxy-tlspassword', 'proxy-tlsuser', 'proxy-tlsv1', 'proxy-user',
  'proxy1.0', 'proxytunnel', 'pubkey', 'quote', 'random-file', 'range', 'rate', 'raw', 'referer',
  'remote-header-name', 'remote-name', 'remote-name-all', 'remote-time', 'remove-on-error', 'request',
  'request-target', 'resolve', 'retry', 'retry-all-errors', 'retry-connrefused', 'retry-delay', 'retry-max-time',
  'sasl-authzid', 'sasl-ir', 'service-name', 'sessionid', 'show-error', 'show-headers', 'sigalgs', 'silent',
  'skip-existing', 'socks4', 'socks4a', 'socks5', 'socks5-basic', 'socks5-gssapi', 'socks5-gssapi-nec',
  'socks5-gssapi-service', 'socks5-hostname', 'speed-limit', 'speed-time', 'ssl', 'ssl-allow-beast',
  'ssl-auto-client-cert', 'ssl-no-revoke', 'ssl-reqd', 'ssl-revoke-best-effort', 'ssl-sessions', 'sslv2', 'sslv3',
  'stderr', 'styled-output', 'suppress-connect-headers', 'tcp-fastopen', 'tcp-nodelay', 'telnet-option',
  'test-duphandle', 'test-event', 'tftp-blksize', 'tftp-no-options', 'time-cond', 'tls-earlydata', 'tls-max',
  'tls13-ciphers', 'tlsauthtype', 'tlspassword', 'tlsuser', 'tlsv1', 'tlsv1.0', 'tlsv1.1', 'tlsv1.2', 'tlsv1.3',
  'tr-encoding', 'trace', 'trace-ascii', 'trace-config', 'trace-ids', 'trace-time', 'unix-socket', 'upload-file',
  'upload-flags', 'url', 'url-query', 'use-ascii', 'user', 'user-agent', 'variable', 'verbose', 'version',
  'vlan-priority', 'wdebug', 'write-out', 'xattr',
];

/** The long name of every one-letter option of curl 8.21.0. */
export const CURL_SHORT_OPTIONS: Readonly<Record<string, string>> = {
  'a': 'append', 'N': 'buffer', 'E': 'cert', 'K': 'config', 'C': 'continue-at', 'b': 'cookie', 'c': 'cookie-jar',
  'd': 'data', 'q': 'disable', 'D': 'dump-header', 'f': 'fail', 'F': 'form', 'P': 'ftp-port', 'G': 'get',
  'g': 'globoff', 'I': 'head', 'H': 'header', 'h': 'help', '0': 'http1.0', 'k': 'insecure', '4': 'ipv4', '6': 'ipv6',
  'j': 'junk-session-cookies', 'l': 'list-only', 'L': 'location', 'M': 'manual', 'm': 'max-time', 'n': 'netrc',
  ':': 'next', 'o': 'output', 'Z': 'parallel', '#': 'progress-bar', 'x': 'proxy', 'U': 'proxy-user',
  'p': 'proxytunnel', 'Q': 'quote', 'r': 'range', 'e': 'referer', 'J': 'remote-header-name', 'O': 'remote-name',
  'R': 'remote-time', 'X': 'request', 'S': 'show-error', 'i': 'show-headers', 's': 'silent', 'Y': 'speed-limit',
  'y': 'speed-time', '2': 'sslv2', '3': 'sslv3', 't': 'telnet-option', 'z': 'time-cond', '1': 'tlsv1',
  'T': 'upload-file', 'B': 'use-ascii', 'u': 'user', 'A': 'user-agent', 'v': 'verbose', 'V': 'version',
  'w': 'write-out',
};
