// The flags of kaniko's executor command (osscontainertools/kaniko cmd/executor/cmd/root.go,
// v1.28), with the value type pflag gives each.
// NOTE: flags added in later kaniko releases (such as --dryrun or --secret) are accepted for
// every executor image, although older images reject them as unknown.

/**
 * Conversion that pflag applies to a flag's value. `multi` appends each occurrence, `slice` appends the
 * comma-separated parts, `key-value` appends `key=value` pairs and rejects other text.
 */
export type FlagKind =
  | 'string' | 'bool' | 'int' | 'duration' | 'multi' | 'slice' | 'key-value'
  | 'compression' | 'image-format';

export interface FlagSpec {
  name: string;
  kind: FlagKind;
  shorthand?: string;
}

const FLAG_LIST: FlagSpec[] = [
  { name: 'verbosity', kind: 'string', shorthand: 'v' },
  { name: 'log-format', kind: 'string' },
  { name: 'log-timestamp', kind: 'bool' },
  { name: 'force', kind: 'bool' },
  { name: 'dockerfile', kind: 'string', shorthand: 'f' },
  { name: 'context', kind: 'string', shorthand: 'c' },
  { name: 'context-sub-path', kind: 'string' },
  { name: 'bucket', kind: 'string', shorthand: 'b' },
  { name: 'destination', kind: 'multi', shorthand: 'd' },
  { name: 'snapshot-mode', kind: 'string' },
  { name: 'custom-platform', kind: 'string' },
  { name: 'build-arg', kind: 'multi' },
  { name: 'image-fs-extract-retry', kind: 'int' },
  { name: 'kaniko-dir', kind: 'string' },
  { name: 'tar-path', kind: 'string' },
  { name: 'single-snapshot', kind: 'bool' },
  { name: 'reproducible', kind: 'bool' },
  { name: 'target', kind: 'slice' },
  { name: 'no-push', kind: 'bool' },
  { name: 'no-push-cache', kind: 'bool' },
  { name: 'cache-repo', kind: 'string' },
  { name: 'cache-dir', kind: 'string' },
  { name: 'digest-file', kind: 'string' },
  { name: 'image-name-with-digest-file', kind: 'string' },
  { name: 'image-name-tag-with-digest-file', kind: 'string' },
  { name: 'oci-layout-path', kind: 'string' },
  { name: 'compression', kind: 'compression' },
  { name: 'image-format', kind: 'image-format' },
  { name: 'compression-level', kind: 'int' },
  { name: 'cache', kind: 'bool' },
  { name: 'compressed-caching', kind: 'bool' },
  { name: 'pre-cleanup', kind: 'bool' },
  { name: 'cleanup', kind: 'bool' },
  { name: 'cache-ttl', kind: 'duration' },
  { name: 'ignore-var-run', kind: 'bool' },
  { name: 'whitelist-var-run', kind: 'bool' },
  { name: 'label', kind: 'multi' },
  { name: 'use-new-run', kind: 'bool' },
  { name: 'git', kind: 'key-value' },
  { name: 'cache-copy-layers', kind: 'bool' },
  { name: 'cache-run-layers', kind: 'bool' },
  { name: 'ignore-path', kind: 'multi' },
  { name: 'skip-push-permission-check', kind: 'bool' },
  { name: 'annotation', kind: 'key-value' },
  { name: 'preserve-context', kind: 'bool' },
  { name: 'materialize', kind: 'bool' },
  { name: 'secret', kind: 'multi' },
  { name: 'dryrun', kind: 'bool' },
  { name: 'insecure', kind: 'bool' },
  { name: 'skip-tls-verify', kind: 'bool' },
  { name: 'insecure-pull', kind: 'bool' },
  { name: 'skip-tls-verify-pull', kind: 'bool' },
  { name: 'push-retry', kind: 'int' },
  { name: 'push-ignore-immutable-tag-errors', kind: 'bool' },
  { name: 'image-download-retry', kind: 'int' },
  { name: 'insecure-registry', kind: 'multi' },
  { name: 'skip-tls-verify-registry', kind: 'multi' },
  { name: 'registry-certificate', kind: 'key-value' },
  { name: 'registry-client-cert', kind: 'key-value' },
  { name: 'registry-map', kind: 'multi' },
  { name: 'registry-mirror', kind: 'multi' },
  { name: 'skip-default-registry-fallback', kind: 'bool' },
  { name: 'credential-helpers', kind: 'multi' },
  // Deprecated spellings that kaniko still accepts.
  { name: 'snapshotMode', kind: 'string' },
  { name: 'customPlatform', kind: 'string' },
  { name: 'tarPath', kind: 'string' },
  { name: 'force-build-metadata', kind: 'bool' },
  { name: 'skip-unused-stages', kind: 'bool' },
];

export const KANIKO_FLAGS: ReadonlyMap<string, FlagSpec> = new Map(
  FLAG_LIST.map((spec) => [spec.name, spec]),
);
