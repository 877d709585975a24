// kaniko's command line, parsed the way the executor's cobra command and its pflag flag set
// do (osscontainertools/kaniko cmd/executor/cmd/root.go). The flag set is the union of the
// flags of kaniko v1.24 to v1.28.
import { KANIKO_FLAGS, type FlagKind, type FlagSpec } from './flags';
import { goQuote } from './log';

/** The flag values the emulation uses; every other known flag is accepted and ignored. */
export interface KanikoOptions {
  context: string;
  contextSubPath: string;
  dockerfile: string;
  destinations: string[];
  buildArgs: string[];
  labels: string[];
  targets: string[];
  noPush: boolean;
  noPushCache: boolean;
  skipPushPermissionCheck: boolean;
  cache: boolean;
  cacheRepo: string;
  /** --cache-ttl as written, a Go duration; kaniko's default is two weeks. */
  cacheTtl: string;
  cacheRunLayers: boolean;
  cacheCopyLayers: boolean;
  pushRetry: number;
  registryMirrors: string[];
  skipDefaultRegistryFallback: boolean;
  insecureRegistries: string[];
  /** --insecure: push to every registry over plain HTTP. */
  insecure: boolean;
  /** --insecure-pull: pull from every registry over plain HTTP. */
  insecurePull: boolean;
  digestFile: string;
  snapshotMode: string;
  logFormat: string;
  verbosity: string;
  logTimestamp: boolean;
  /** Names of the flags that were set, without dashes. */
  setFlags: Set<string>;
}

export type ParsedArgs =
  | { kind: 'build'; options: KanikoOptions }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'error'; message: string; unknownCommand?: boolean };

type FlagValues = Map<string, string | boolean | number | string[]>;

/** Parses kaniko's arguments; `error` carries cobra's message without the `Error: ` prefix. */
export function parseKanikoArgs(args: readonly string[]): ParsedArgs {
  const values: FlagValues = new Map();
  const positional: string[] = [];
  let help = false;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    if (arg === '--') {
      positional.push(...args.slice(index + 1));
      break;
    }
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    let consumed: number;
    try {
      if (arg.startsWith('--')) consumed = parseLongFlag(args, index, values);
      else if (arg.startsWith('-') && arg.length > 1) consumed = parseShortFlag(args, index, values);
      else {
        positional.push(arg);
        consumed = 0;
      }
    } catch (error) {
      return { kind: 'error', message: (error as Error).message };
    }
    index += consumed;
  }
  if (help) return { kind: 'help' };
  if (positional.length > 0) {
    if (positional[0] === 'version') return { kind: 'version' };
    return { kind: 'error', message: `unknown command ${goQuote(positional[0])} for "executor"`, unknownCommand: true };
  }
  return { kind: 'build', options: toOptions(values) };
}

/** Parses `--name`, `--name=value` or `--name value`; returns how many extra arguments it used. */
function parseLongFlag(args: readonly string[], index: number, values: FlagValues): number {
  const arg = args[index];
  const body = arg.slice(2);
  if (body.length === 0 || body.startsWith('-') || body.startsWith('=')) {
    throw new Error(`bad flag syntax: ${arg}`);
  }
  const equals = body.indexOf('=');
  const name = equals === -1 ? body : body.slice(0, equals);
  const spec = KANIKO_FLAGS.get(name);
  if (!spec) throw new Error(`unknown flag: --${name}`);
  if (equals !== -1) {
    setFlag(spec, body.slice(equals + 1), values);
    return 0;
  }
  if (spec.kind === 'bool') {
    setFlag(spec, 'true', values);
    return 0;
  }
  if (index + 1 >= args.length) throw new Error(`flag needs an argument: --${name}`);
  setFlag(spec, args[index + 1], values);
  return 1;
}

/** Parses `-d value`, `-dvalue` or `-d=value`; returns how many extra arguments it used. */
function parseShortFlag(args: readonly string[], index: number, values: FlagValues): number {
  const arg = args[index];
  const shorthand = arg[1];
  const spec = [...KANIKO_FLAGS.values()].find((candidate) => candidate.shorthand === shorthand);
  if (!spec) throw new Error(`unknown shorthand flag: '${shorthand}' in ${arg}`);
  const rest = arg.slice(2);
  if (rest.length > 0) {
    setFlag(spec, rest.startsWith('=') ? rest.slice(1) : rest, values);
    return 0;
  }
  if (spec.kind === 'bool') {
    setFlag(spec, 'true', values);
    return 0;
  }
  if (index + 1 >= args.length) {
    throw new Error(`flag needs an argument: '${shorthand}' in -${shorthand}`);
  }
  setFlag(spec, args[index + 1], values);
  return 1;
}

function setFlag(spec: FlagSpec, value: string, values: FlagValues): void {
  const problem = convertValue(spec.kind, value, values.get(spec.name));
  if (problem.error !== undefined) {
    const flagName = spec.shorthand ? `-${spec.shorthand}, --${spec.name}` : `--${spec.name}`;
    throw new Error(`invalid argument ${goQuote(value)} for "${flagName}" flag: ${problem.error}`);
  }
  values.set(spec.name, problem.value);
}

function convertValue(
  kind: FlagKind,
  value: string,
  previous: string | boolean | number | string[] | undefined,
): { value: string | boolean | number | string[]; error?: string } {
  const list = Array.isArray(previous) ? previous : [];
  switch (kind) {
    case 'string':
      return { value };
    case 'bool':
      return parseGoBool(value);
    case 'int':
      return /^[+-]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]*|[1-9][0-9]*)$/.test(value)
        ? { value: Number(value) }
        : { value: 0, error: `strconv.ParseInt: parsing ${goQuote(value)}: invalid syntax` };
    case 'duration':
      return /^[+-]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$|^0$/.test(value)
        ? { value }
        : { value: '', error: `time: invalid duration ${goQuote(value)}` };
    case 'multi':
      return { value: [...list, value] };
    case 'slice':
      return { value: [...list, ...(value === '' ? [] : value.split(','))] };
    case 'key-value':
      return value.includes('=')
        ? { value: [...list, value] }
        : { value: list, error: `invalid argument value. expect key=value, got ${value}` };
    case 'compression':
      return value === 'gzip' || value === 'zstd'
        ? { value }
        : { value: '', error: 'must be either "gzip" or "zstd"' };
    case 'image-format':
      return value === 'docker' || value === 'oci'
        ? { value }
        : { value: '', error: 'must be either "docker" or "oci"' };
  }
}

const GO_TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const GO_FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

/** Parses a boolean as Go's strconv.ParseBool does. */
function parseGoBool(value: string): { value: boolean; error?: string } {
  if (GO_TRUE.includes(value)) return { value: true };
  if (GO_FALSE.includes(value)) return { value: false };
  return { value: false, error: `strconv.ParseBool: parsing ${goQuote(value)}: invalid syntax` };
}

function toOptions(values: FlagValues): KanikoOptions {
  const text = (name: string, fallback: string): string => {
    const value = values.get(name);
    return typeof value === 'string' ? value : fallback;
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const value = values.get(name);
    return typeof value === 'boolean' ? value : fallback;
  };
  const list = (name: string): string[] => {
    const value = values.get(name);
    return Array.isArray(value) ? value : [];
  };
  const number = (name: string): number => {
    const value = values.get(name);
    return typeof value === 'number' ? value : 0;
  };
  return {
    context: text('context', '/workspace/'),
    contextSubPath: text('context-sub-path', ''),
    dockerfile: text('dockerfile', 'Dockerfile'),
    destinations: list('destination'),
    buildArgs: list('build-arg'),
    labels: list('label'),
    targets: list('target'),
    noPush: flag('no-push', false),
    noPushCache: flag('no-push-cache', false),
    skipPushPermissionCheck: flag('skip-push-permission-check', false),
    cache: flag('cache', false),
    cacheRepo: text('cache-repo', ''),
    cacheTtl: text('cache-ttl', '336h'),
    cacheRunLayers: flag('cache-run-layers', true),
    cacheCopyLayers: flag('cache-copy-layers', false),
    pushRetry: number('push-retry'),
    registryMirrors: list('registry-mirror'),
    skipDefaultRegistryFallback: flag('skip-default-registry-fallback', false),
    insecureRegistries: list('insecure-registry'),
    insecure: flag('insecure', false),
    insecurePull: flag('insecure-pull', false),
    digestFile: text('digest-file', ''),
    snapshotMode: text('snapshot-mode', '') || text('snapshotMode', '') || 'full',
    logFormat: text('log-format', 'color'),
    verbosity: text('verbosity', 'info'),
    logTimestamp: flag('log-timestamp', false),
    setFlags: new Set(values.keys()),
  };
}
