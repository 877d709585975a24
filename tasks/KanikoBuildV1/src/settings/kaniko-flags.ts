// The flags of kaniko's executor command: the union of osscontainertools/kaniko v1.24.0 to v1.28.3
// (cmd/executor/cmd/root.go), with the kind of value pflag parses for each. The extraArgs input
// may set only these.
// NOTE: flags that later fork releases added, such as --secret (v1.26.3), --dryrun (v1.26.6) and
// --image-format (v1.28.1), pass this check, but older executor images reject them as unknown.

/**
 * The value a flag takes: `bool` flags take none or a Go boolean after `=`, `int` flags a Go
 * integer, `duration` flags a Go duration, `key-value` flags `KEY=VALUE`, and `text` flags any text.
 */
export type KanikoFlagKind = 'bool' | 'int' | 'duration' | 'text' | 'key-value';

const FLAGS: [name: string, kind: KanikoFlagKind][] = [
  ['verbosity', 'text'], ['log-format', 'text'], ['log-timestamp', 'bool'], ['force', 'bool'],
  ['dockerfile', 'text'], ['context', 'text'], ['context-sub-path', 'text'], ['bucket', 'text'], ['destination', 'text'],
  ['snapshot-mode', 'text'], ['custom-platform', 'text'], ['build-arg', 'text'], ['image-fs-extract-retry', 'int'],
  ['kaniko-dir', 'text'], ['tar-path', 'text'], ['single-snapshot', 'bool'], ['reproducible', 'bool'], ['target', 'text'],
  ['no-push', 'bool'], ['no-push-cache', 'bool'], ['cache-repo', 'text'], ['cache-dir', 'text'], ['digest-file', 'text'],
  ['image-name-with-digest-file', 'text'], ['image-name-tag-with-digest-file', 'text'], ['oci-layout-path', 'text'],
  ['compression', 'text'], ['image-format', 'text'], ['compression-level', 'int'], ['cache', 'bool'],
  ['compressed-caching', 'bool'], ['pre-cleanup', 'bool'], ['cleanup', 'bool'], ['cache-ttl', 'duration'],
  ['ignore-var-run', 'bool'], ['whitelist-var-run', 'bool'], ['label', 'text'], ['use-new-run', 'bool'],
  ['git', 'key-value'], ['cache-copy-layers', 'bool'], ['cache-run-layers', 'bool'], ['ignore-path', 'text'],
  ['skip-push-permission-check', 'bool'], ['annotation', 'key-value'], ['preserve-context', 'bool'],
  ['materialize', 'bool'], ['secret', 'text'], ['dryrun', 'bool'],
  // The registry options (AddRegistryOptionsFlags).
  ['insecure', 'bool'], ['skip-tls-verify', 'bool'], ['insecure-pull', 'bool'], ['skip-tls-verify-pull', 'bool'],
  ['push-retry', 'int'], ['push-ignore-immutable-tag-errors', 'bool'], ['image-download-retry', 'int'],
  ['insecure-registry', 'text'], ['skip-tls-verify-registry', 'text'], ['registry-certificate', 'key-value'],
  ['registry-client-cert', 'key-value'], ['registry-map', 'text'], ['registry-mirror', 'text'],
  ['skip-default-registry-fallback', 'bool'], ['credential-helpers', 'text'],
  // Deprecated spellings and flags that kaniko still accepts.
  ['snapshotMode', 'text'], ['customPlatform', 'text'], ['tarPath', 'text'], ['force-build-metadata', 'bool'],
  ['skip-unused-stages', 'bool'],
  // cobra's own flag.
  ['help', 'bool'],
];

/** kaniko's flags by name, without the leading dashes. */
export const KANIKO_FLAGS: ReadonlyMap<string, KanikoFlagKind> = new Map(FLAGS);
