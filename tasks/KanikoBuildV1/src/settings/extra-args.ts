// The extraArgs input: further kaniko flags, one a line, checked against kaniko's flag list before
// anything is created. Messages show a flag's value only for booleans, numbers and durations, so a
// value such as a certificate path or a token never reaches the log.
import { loc } from '../messages';
import { hasControlCharacter } from './control-characters';
import { isGoBoolean, isGoInteger } from './go-values';
import { KANIKO_FLAGS, type KanikoFlagKind } from './kaniko-flags';
import type { Problems } from './problems';

/** Flags that inputs of the task set, with those inputs as messages name them. */
const INPUT_FLAGS: Record<string, string> = {
  dockerfile: 'the input dockerfile',
  destination: 'the inputs repository and tags',
  'build-arg': 'the inputs buildArguments and secretBuildArguments',
  target: 'the input target',
  cache: 'the input cache',
  'cache-repo': 'the input cacheRepository',
  'cache-ttl': 'the input cacheTtl',
  label: 'the inputs labels and ociLabels',
  'skip-unused-stages': 'the input skipUnusedStages',
  'push-retry': 'the input pushRetry',
  'registry-mirror': 'the input registryMirror',
  'insecure-registry': 'the input insecureRegistries',
  'no-push': 'the input noPush',
};
/** Flags that the task sets for its own use, with the message that explains why. */
const TASK_FLAGS: Record<string, string> = {
  context: 'ExtraArgReasonContext',
  'context-sub-path': 'ExtraArgReasonContext',
  bucket: 'ExtraArgReasonContext',
  'digest-file': 'ExtraArgReasonDigest',
  'log-format': 'ExtraArgReasonLog',
};
/** Flags with which kaniko builds no image, so the step would get no digest. */
const NO_BUILD_FLAGS = new Set(['help', 'dryrun']);
/** `--name`, `--name=value` or `--name value`. */
const FLAG_LINE = /^--([^=\s]+)(?:=([\s\S]*)|\s+([\s\S]*))?$/;

/** Parses the extraArgs input into kaniko arguments, each `--name` or `--name=value`. */
export function parseExtraArgs(input: string, problems: Problems): string[] | undefined {
  const start = problems.count;
  const args: string[] = [];
  for (const [index, text] of input.split('\n').entries()) {
    const line = text.trim();
    if (!line || line.startsWith('#')) continue;
    const lineNumber = index + 1;
    // A tab separates a flag from its value like a space; other control characters are rejected.
    if (hasControlCharacter(line)) {
      problems.add(loc('ExtraArgControlCharacter', lineNumber));
      continue;
    }
    const match = FLAG_LINE.exec(line);
    if (!match) {
      problems.add(loc('ExtraArgNotFlag', lineNumber, line));
      continue;
    }
    const name = match[1];
    const value = match[2] ?? match[3];
    if (checkFlag(name, value, problems)) args.push(value === undefined ? `--${name}` : `--${name}=${value}`);
  }
  return problems.count > start ? undefined : args;
}

/** Checks that the flag is one of kaniko's, that neither an input nor the task sets it, and that its value fits. */
function checkFlag(name: string, value: string | undefined, problems: Problems): boolean {
  const kind = KANIKO_FLAGS.get(name);
  if (kind === undefined) {
    problems.add(loc('ExtraArgUnknown', name));
  } else if (name in INPUT_FLAGS) {
    problems.add(loc('ExtraArgInputFlag', name, INPUT_FLAGS[name]));
  } else if (name in TASK_FLAGS) {
    problems.add(loc('ExtraArgTaskFlag', name, loc(TASK_FLAGS[name])));
  } else if (NO_BUILD_FLAGS.has(name)) {
    problems.add(loc('ExtraArgNoBuild', name));
  } else {
    return checkValue(name, kind, value, problems);
  }
  return false;
}

function checkValue(name: string, kind: KanikoFlagKind, value: string | undefined, problems: Problems): boolean {
  if (value === undefined) {
    if (kind === 'bool') return true;
    problems.add(loc('ExtraArgValueMissing', name, name));
    return false;
  }
  switch (kind) {
    case 'bool':
      return isGoBoolean(value) || invalid(problems, loc('ExtraArgNotBoolean', value, name));
    case 'int':
      return isGoInteger(value) || invalid(problems, loc('ExtraArgNotInteger', value, name));
    case 'key-value':
      return /^[^=]+=/.test(value) || invalid(problems, loc('ExtraArgNotKeyValue', name, name));
    default:
      return true;
  }
}

function invalid(problems: Problems, message: string): false {
  problems.add(message);
  return false;
}
