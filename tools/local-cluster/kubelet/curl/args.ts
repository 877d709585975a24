// curl's command line, parsed as curl's tool does (curl/curl src/tool_getparam.c, parse_args
// and getparameter). A long option takes its value from the next argument, or after `=` from
// curl 8.16.0 on. One-letter options can be bundled, such as `-fsSL`, and a letter that takes a
// value takes the rest of the argument or the next one. `--no-` turns a boolean option off, `--`
// ends the options, and every other argument is a URL.
import { CURL_LONG_OPTIONS, CURL_SHORT_OPTIONS, EMULATED_OPTIONS, type OptionSpec } from './options';

/** A curl release as [major, minor, patch]. */
export type CurlVersion = readonly [number, number, number];

export interface CurlOptions {
  urls: string[];
  output?: string;
  fail: boolean;
  silent: boolean;
  showError: boolean;
  location: boolean;
  insecure: boolean;
  /** Number of retries after a transient error. */
  retry: number;
  /** Fixed pause between retries, in milliseconds; undefined doubles the pause from one second on. */
  retryDelayMs?: number;
  /** Time after which no retry starts, in milliseconds. */
  retryMaxTimeMs?: number;
  retryConnectionRefused: boolean;
  retryAllErrors: boolean;
  /** Limit of each whole transfer, in milliseconds. */
  maxTimeMs?: number;
  /** Limit of the connection phase, in milliseconds. */
  connectTimeoutMs?: number;
}

export type ParsedCurlArgs =
  | { kind: 'run'; options: CurlOptions }
  | { kind: 'error'; lines: string[]; exitCode: number };

/** curl's exit code for a bad command line (CURLE_FAILED_INIT). */
export const FAILED_INIT = 2;

/** Thrown while parsing with the text of curl's param2text for the failure. */
class ParameterError extends Error {
  constructor(readonly reason: string, readonly emulationGap = false) {
    super(reason);
  }
}

const EMULATED = new Map(EMULATED_OPTIONS.map((spec) => [spec.name, spec]));
const SHORT_EMULATED = new Map(EMULATED_OPTIONS.filter((spec) => spec.short).map((spec) => [spec.short as string, spec]));

/** Parses curl's arguments; `version` undefined stands for the newest release. */
export function parseCurlArgs(args: readonly string[], version?: CurlVersion): ParsedCurlArgs {
  const options: CurlOptions = {
    urls: [], fail: false, silent: false, showError: false, location: false, insecure: false,
    retry: 0, retryConnectionRefused: false, retryAllErrors: false,
  };
  // Without arguments curl only prints where to find help.
  if (args.length === 0) return { kind: 'error', lines: helpLines(undefined), exitCode: FAILED_INIT };
  let flagsEnded = false;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    if (flagsEnded || !arg.startsWith('-')) {
      options.urls.push(arg);
      continue;
    }
    if (arg === '--') {
      flagsEnded = true;
      continue;
    }
    try {
      const usedNext = arg.startsWith('--')
        ? parseLongOption(arg, args[index + 1], options, version)
        : parseShortOptions(arg, args[index + 1], options);
      if (usedNext) index += 1;
    } catch (error) {
      if (!(error instanceof ParameterError)) throw error;
      if (error.emulationGap) return { kind: 'error', lines: [`curl: ${error.reason}`], exitCode: FAILED_INIT };
      return { kind: 'error', lines: helpLines(`option ${arg}: ${error.reason}`), exitCode: FAILED_INIT };
    }
  }
  if (options.urls.length === 0) return { kind: 'error', lines: helpLines(`(${FAILED_INIT}) no URL specified`), exitCode: FAILED_INIT };
  return { kind: 'run', options };
}

/** curl's helpf: the message, then where to find help. */
function helpLines(message: string | undefined): string[] {
  const help = "curl: try 'curl --help' or 'curl --manual' for more information";
  return message === undefined ? [help] : [`curl: ${message}`, help];
}

/** Parses one `--name`, `--no-name`, `--name=value` or `--name value`; returns whether it used the next argument. */
function parseLongOption(arg: string, next: string | undefined, options: CurlOptions, version?: CurlVersion): boolean {
  let word = arg.slice(2);
  let toggle = true;
  if (word.startsWith('no-')) {
    word = word.slice(3);
    toggle = false;
  }
  let inlineValue: string | undefined;
  const equals = word.indexOf('=');
  if (equals !== -1 && supportsInlineValues(version)) {
    inlineValue = word.slice(equals + 1);
    word = word.slice(0, equals);
  }
  const name = resolveLongName(word, version);
  if (name === undefined) throw new ParameterError('is unknown');
  const spec = EMULATED.get(name);
  if (!spec) throw new ParameterError(notEmulated(`--${name}`), true);
  if (!toggle && spec.kind !== 'bool') throw new ParameterError('the given option cannot be reversed with a --no- prefix');
  if (spec.kind === 'bool' || spec.kind === 'none') {
    applyOption(spec, toggle, undefined, options);
    return false;
  }
  const value = inlineValue ?? next;
  if (value === undefined) throw new ParameterError('requires parameter');
  applyOption(spec, true, value, options);
  return inlineValue === undefined;
}

/**
 * Returns the option a long name means. From curl 8.6.0 on the name must match exactly; older
 * releases also accept an abbreviation that only one option starts with.
 */
function resolveLongName(word: string, version?: CurlVersion): string | undefined {
  if (CURL_LONG_OPTIONS.includes(word)) return word;
  if (version === undefined || !isBefore(version, [8, 6, 0])) return undefined;
  const matches = CURL_LONG_OPTIONS.filter((name) => name.startsWith(word));
  if (matches.length > 1) throw new ParameterError('is ambiguous');
  return matches[0];
}

/** Parses bundled one-letter options such as `-fsSL` or `-o FILE`; returns whether it used the next argument. */
function parseShortOptions(arg: string, next: string | undefined, options: CurlOptions): boolean {
  if (arg.length === 1) throw new ParameterError('is unknown');
  for (let position = 1; position < arg.length; position += 1) {
    const letter = arg[position];
    const name = CURL_SHORT_OPTIONS[letter];
    if (name === undefined) throw new ParameterError('is unknown');
    const spec = SHORT_EMULATED.get(letter);
    if (!spec) throw new ParameterError(notEmulated(`-${letter}, --${name}`), true);
    if (spec.kind === 'bool' || spec.kind === 'none') {
      applyOption(spec, true, undefined, options);
      continue;
    }
    // An option with a value takes the rest of the argument, or else the next argument.
    const rest = arg.slice(position + 1);
    if (rest !== '') {
      applyOption(spec, true, rest, options);
      return false;
    }
    if (next === undefined) throw new ParameterError('requires parameter');
    applyOption(spec, true, next, options);
    return true;
  }
  return false;
}

function applyOption(spec: OptionSpec, toggle: boolean, value: string | undefined, options: CurlOptions): void {
  const text = value ?? '';
  switch (spec.name) {
    case 'fail': options.fail = toggle; return;
    case 'silent': options.silent = toggle; return;
    case 'show-error': options.showError = toggle; return;
    case 'location': options.location = toggle; return;
    case 'insecure': options.insecure = toggle; return;
    case 'retry-connrefused': options.retryConnectionRefused = toggle; return;
    case 'retry-all-errors': options.retryAllErrors = toggle; return;
    case 'output': options.output = text; return;
    case 'url': options.urls.push(text); return;
    case 'retry': options.retry = parseUnsigned(text); return;
    case 'retry-delay': options.retryDelayMs = parseSeconds(text); return;
    case 'retry-max-time': options.retryMaxTimeMs = parseSeconds(text); return;
    case 'max-time': options.maxTimeMs = parseSeconds(text); return;
    case 'connect-timeout': options.connectTimeoutMs = parseSeconds(text); return;
  }
}

/** Parses a whole number as curl's str2unum does. */
function parseUnsigned(text: string): number {
  if (!/^-?\d+$/.test(text)) throw new ParameterError('expected a proper numerical parameter');
  if (text.startsWith('-')) throw new ParameterError('expected a positive numerical parameter');
  return Number(text);
}

/** Parses seconds with an optional fraction, as curl's secs2ms does, into milliseconds. */
function parseSeconds(text: string): number {
  if (!/^\d+(\.\d*)?$/.test(text)) throw new ParameterError('expected a proper numerical parameter');
  return Math.round(Number(text) * 1000);
}

function notEmulated(option: string): string {
  return `the local cluster does not emulate the curl option ${option}; the emulation runs ${EMULATED_OPTIONS.map((spec) => `--${spec.name}`).join(', ')}`;
}

/** curl reads `--name=value` from 8.16.0 on; older releases look for an option named `name=value`. */
function supportsInlineValues(version?: CurlVersion): boolean {
  return version === undefined || !isBefore(version, [8, 16, 0]);
}

export function isBefore(version: CurlVersion, other: CurlVersion): boolean {
  for (let index = 0; index < 3; index += 1) {
    if (version[index] !== other[index]) return version[index] < other[index];
  }
  return false;
}
