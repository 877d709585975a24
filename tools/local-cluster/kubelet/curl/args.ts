// curl's command line, parsed as curl's tool does (curl/curl src/tool_getparam.c, parse_args
// and getparameter). A long option takes its value from the next argument, or after `=` from
// curl 8.16.0 on. One-letter options can be bundled, such as `-fsSL`, and a letter that takes a
// value takes the rest of the argument or the next one. `--no-` turns a boolean option off, `--`
// ends the options, and every other argument is a URL.
// From curl 8.3.0 on, `--variable` sets variables (`%NAME` imports an environment variable) and
// `--expand-OPTION` replaces `{{NAME}}` in that option's value (src/var.c). That way a secret URL
// can reach curl through the environment instead of its arguments.
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

/** The result of parsing: options to run with, or the lines to print and the exit code. Both may carry warnings in `lines`. */
export type ParsedCurlArgs =
  | { kind: 'run'; options: CurlOptions; lines: string[] }
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
const VARIABLE_NAME = /^[A-Za-z0-9_]+$/;

/**
 * Parses curl's arguments. `version` undefined stands for the newest release, and `env` is
 * the container's environment, which `--variable %NAME` reads.
 */
export function parseCurlArgs(args: readonly string[], version?: CurlVersion, env: Readonly<Record<string, string>> = {}): ParsedCurlArgs {
  // Without arguments curl only prints where to find help.
  if (args.length === 0) return { kind: 'error', lines: helpLines(undefined), exitCode: FAILED_INIT };
  return new ArgumentParser(version, env).parse(args);
}

class ArgumentParser {
  private readonly options: CurlOptions = {
    urls: [], fail: false, silent: false, showError: false, location: false, insecure: false,
    retry: 0, retryConnectionRefused: false, retryAllErrors: false,
  };
  private readonly variables = new Map<string, string>();
  /** Warnings and errors printed while parsing. */
  private readonly lines: string[] = [];

  constructor(private readonly version: CurlVersion | undefined, private readonly env: Readonly<Record<string, string>>) {}

  parse(args: readonly string[]): ParsedCurlArgs {
    let flagsEnded = false;
    for (let index = 0; index < args.length; index += 1) {
      const arg = args[index];
      if (flagsEnded || !arg.startsWith('-')) {
        this.options.urls.push(arg);
        continue;
      }
      if (arg === '--') {
        flagsEnded = true;
        continue;
      }
      try {
        const usedNext = arg.startsWith('--') ? this.parseLongOption(arg, args[index + 1]) : this.parseShortOptions(arg, args[index + 1]);
        if (usedNext) index += 1;
      } catch (error) {
        if (!(error instanceof ParameterError)) throw error;
        if (error.emulationGap) return { kind: 'error', lines: [...this.lines, `curl: ${error.reason}`], exitCode: FAILED_INIT };
        return { kind: 'error', lines: [...this.lines, ...helpLines(`option ${arg}: ${error.reason}`)], exitCode: FAILED_INIT };
      }
    }
    if (this.options.urls.length === 0) {
      return { kind: 'error', lines: [...this.lines, ...helpLines(`(${FAILED_INIT}) no URL specified`)], exitCode: FAILED_INIT };
    }
    return { kind: 'run', options: this.options, lines: this.lines };
  }

  /** Parses one `--name`, `--no-name`, `--expand-name`, `--name=value` or `--name value`; returns whether it used the next argument. */
  private parseLongOption(arg: string, next: string | undefined): boolean {
    let word = arg.slice(2);
    let toggle = true;
    let expand = false;
    if (word.startsWith('no-')) {
      word = word.slice(3);
      toggle = false;
    } else if (word.startsWith('expand-') && this.supports([8, 3, 0])) {
      word = word.slice(7);
      expand = true;
    }
    let inlineValue: string | undefined;
    const equals = word.indexOf('=');
    if (equals !== -1 && this.supports([8, 16, 0])) {
      inlineValue = word.slice(equals + 1);
      word = word.slice(0, equals);
    }

    const name = this.resolveLongName(word);
    if (name === undefined) throw new ParameterError('is unknown');
    const spec = EMULATED.get(name);
    if (!spec) throw new ParameterError(notEmulated(`--${name}`), true);
    if (!toggle && spec.kind !== 'bool') throw new ParameterError('the given option cannot be reversed with a --no- prefix');

    if (spec.kind === 'bool' || spec.kind === 'none') {
      // curl checks the value of an --expand- option only when there is one.
      if (expand && next !== undefined) throw new ParameterError('variable expansion failure');
      this.apply(spec, toggle, undefined);
      return false;
    }
    const value = inlineValue ?? next;
    if (value === undefined) throw new ParameterError('requires parameter');
    this.apply(spec, true, expand ? this.expandVariables(value) : value);
    return inlineValue === undefined;
  }

  /**
   * Returns the option a long name means. From curl 8.6.0 on the name must match exactly; older
   * releases also accept an abbreviation that only one option starts with.
   */
  private resolveLongName(word: string): string | undefined {
    const names = this.supports([8, 3, 0]) ? CURL_LONG_OPTIONS : CURL_LONG_OPTIONS.filter((name) => name !== 'variable');
    if (names.includes(word)) return word;
    if (this.supports([8, 6, 0])) return undefined;
    const matches = names.filter((name) => name.startsWith(word));
    if (matches.length > 1) throw new ParameterError('is ambiguous');
    return matches[0];
  }

  /** Parses bundled one-letter options such as `-fsSL` or `-o FILE`; returns whether it used the next argument. */
  private parseShortOptions(arg: string, next: string | undefined): boolean {
    if (arg.length === 1) throw new ParameterError('is unknown');
    for (let position = 1; position < arg.length; position += 1) {
      const letter = arg[position];
      const name = CURL_SHORT_OPTIONS[letter];
      if (name === undefined) throw new ParameterError('is unknown');
      const spec = SHORT_EMULATED.get(letter);
      if (!spec) throw new ParameterError(notEmulated(`-${letter}, --${name}`), true);
      if (spec.kind === 'bool' || spec.kind === 'none') {
        this.apply(spec, true, undefined);
        continue;
      }
      // An option with a value takes the rest of the argument, or else the next argument.
      const rest = arg.slice(position + 1);
      if (rest !== '') {
        this.apply(spec, true, rest);
        return false;
      }
      if (next === undefined) throw new ParameterError('requires parameter');
      this.apply(spec, true, next);
      return true;
    }
    return false;
  }

  private apply(spec: OptionSpec, toggle: boolean, value: string | undefined): void {
    const options = this.options;
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
      case 'variable': this.setVariable(text); return;
      case 'retry': options.retry = parseUnsigned(text); return;
      case 'retry-delay': options.retryDelayMs = parseSeconds(text); return;
      case 'retry-max-time': options.retryMaxTimeMs = parseSeconds(text); return;
      case 'max-time': options.maxTimeMs = parseSeconds(text); return;
      case 'connect-timeout': options.connectTimeoutMs = parseSeconds(text); return;
    }
  }

  /** Sets a variable from `NAME=content`, `%NAME` or `%NAME=default`, as curl's setvariable does. */
  private setVariable(input: string): void {
    const imported = input.startsWith('%');
    const rest = imported ? input.slice(1) : input;
    const name = /^[A-Za-z0-9_]*/.exec(rest)?.[0] ?? '';
    const tail = rest.slice(name.length);
    if (name === '') {
      this.warn(`Bad variable name length (${name.length}), skipping`);
      return;
    }
    const fromEnvironment = imported ? this.env[name] : undefined;
    if (imported && tail === '' && fromEnvironment === undefined) {
      this.error(`Variable '${name}' import fail, not set`);
      throw new ParameterError('variable expansion failure');
    }
    if (fromEnvironment !== undefined) {
      this.variables.set(name, fromEnvironment);
    } else if (tail.startsWith('=')) {
      this.variables.set(name, tail.slice(1));
    } else if (tail.startsWith('@') || tail.startsWith('[')) {
      throw new ParameterError('the local cluster does not emulate --variable with a file or a byte range', true);
    } else {
      this.warn(`Bad --variable syntax, skipping: ${input}`);
    }
  }

  /**
   * Replaces `{{NAME}}` with the variable's content (empty when it is not set) and `\{{` with
   * `{{`, as curl's varexpand does. A name that is not made of letters, digits and `_` stays as
   * written, and a value in which no variable was replaced stays exactly as written.
   */
  private expandVariables(input: string): string {
    let output = '';
    let rest = input;
    let replaced = false;
    for (;;) {
      const open = rest.indexOf('{{');
      if (open === -1) break;
      if (open > 0 && rest[open - 1] === '\\') {
        output += `${rest.slice(0, open - 1)}{{`;
        rest = rest.slice(open + 2);
        continue;
      }
      const close = rest.indexOf('}}', open + 2);
      if (close === -1) {
        this.warn(`missing close '}}' in '${input}'`);
        break;
      }
      const name = rest.slice(open + 2, close);
      output += rest.slice(0, open);
      if (name.includes(':')) throw new ParameterError('the local cluster does not emulate curl variable functions such as {{NAME:trim}}', true);
      if (VARIABLE_NAME.test(name)) {
        output += this.variables.get(name) ?? '';
        replaced = true;
      } else {
        this.warn(name === '' ? `bad variable name length '${input}'` : `bad variable name: ${name}`);
        output += rest.slice(open, close + 2);
      }
      rest = rest.slice(close + 2);
    }
    return replaced ? output + rest : input;
  }

  /** Records a warning, which `--silent` mutes (curl's warnf). */
  private warn(message: string): void {
    if (!this.options.silent) this.lines.push(`Warning: ${message}`);
  }

  /** Records an error, which `--silent` mutes unless `--show-error` is set (curl's errorf). */
  private error(message: string): void {
    if (!this.options.silent || this.options.showError) this.lines.push(`curl: ${message}`);
  }

  /** Returns whether the image's curl is `release` or newer; an image without a version is the newest. */
  private supports(release: CurlVersion): boolean {
    return this.version === undefined || !isBefore(this.version, release);
  }
}

/** curl's helpf: the message, then where to find help. */
function helpLines(message: string | undefined): string[] {
  const help = "curl: try 'curl --help' or 'curl --manual' for more information";
  return message === undefined ? [help] : [`curl: ${message}`, help];
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

export function isBefore(version: CurlVersion, other: CurlVersion): boolean {
  for (let index = 0; index < 3; index += 1) {
    if (version[index] !== other[index]) return version[index] < other[index];
  }
  return false;
}
