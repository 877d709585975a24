// The commands of the emulated `/bin/sh -c`: echo, true, false, exit, sleep, and head and dd
// reading /dev/zero or /dev/urandom, with the argument forms and messages of GNU coreutils 9
// (the coreutils of Debian-based images such as python:3.12-slim). Any other command, and any
// form of these that is not emulated, succeeds without output, so a RUN step that installs
// packages passes without doing anything.
// NOTE: `dd` from an endless source without `count=` also succeeds at once. A real one writes
// until the disk is full.
import { parseByteCount, parseSleepSeconds } from './shell-numbers';

/** The effects of commands outside the shell: waiting, writing files and printing. */
export interface ShellEnvironment {
  /** ARG and ENV values in scope, for `$NAME` expansion. */
  variables: ReadonlyMap<string, string>;
  /** Waits while `sleep` runs, given in seconds (possibly Infinity). Rejects when the run is stopped. */
  sleep(seconds: number): Promise<void>;
  /** Counts `bytes` that a command wrote to a file of the image. It may throw when the container is killed for it. */
  writeFile(path: string, bytes: number): void;
  /** Prints a line of a command's output to the log as soon as the command writes it. */
  writeLine(text: string): void;
  /** Counts binary bytes that a command printed to the log, which the emulation does not keep as lines. */
  writeOutputBytes(bytes: number): void;
}

/** A command's standard output or error: the log, a file or /dev/null. */
export interface CommandStream {
  /** Writes a line of text and its newline. */
  line(text: string): void;
  /** Writes `count` bytes of binary data (zeros or random bytes), which are counted but not kept. */
  bytes(count: number): void;
}

export interface CommandStreams {
  stdout: CommandStream;
  stderr: CommandStream;
}

export interface CommandResult {
  status: number;
  /** True for `exit`, which ends the script. */
  exit: boolean;
}

/** Sources that never end, so `head -c` and `dd count=` read exactly what they ask for. */
const ENDLESS_SOURCES = ['/dev/zero', '/dev/urandom', '/dev/random'];
/** The bytes that `dd` and `head` read from stdin: a RUN step's stdin is /dev/null, so none. */
const STDIN_BYTES = 0;

/** Runs one command with its words already split and expanded. */
export async function runCommand(words: string[], streams: CommandStreams, environment: ShellEnvironment): Promise<CommandResult> {
  const [name, ...args] = words;
  switch (name) {
    case 'echo':
      streams.stdout.line(args.join(' '));
      return done(0);
    case 'exit': {
      const code = args.length === 0 ? 0 : Number.parseInt(args[0], 10);
      return { status: Number.isNaN(code) ? 2 : code & 0xff, exit: true };
    }
    case 'false':
      return done(1);
    case 'sleep':
      return sleep(args, streams, environment);
    case 'head':
      return done(head(args, streams));
    case 'dd':
      return done(dd(args, streams, environment));
    default:
      return done(0);
  }
}

function done(status: number): CommandResult {
  return { status, exit: false };
}

async function sleep(args: string[], streams: CommandStreams, environment: ShellEnvironment): Promise<CommandResult> {
  if (args.length === 0) return done(usageError('sleep', 'missing operand', streams));
  let total = 0;
  for (const arg of args) {
    const seconds = parseSleepSeconds(arg);
    if (seconds === undefined) return done(usageError('sleep', `invalid time interval ${gnuQuote(arg)}`, streams));
    total += seconds;
  }
  await environment.sleep(total);
  return done(0);
}

/** Emulates `head -c N [FILE]`. Other uses of head succeed without output. */
function head(args: string[], streams: CommandStreams): number {
  let countText: string | undefined;
  const files: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    if (arg === '-c' || arg === '--bytes') countText = args[++index] ?? '';
    else if (arg.startsWith('--bytes=')) countText = arg.slice('--bytes='.length);
    else if (arg.startsWith('-c')) countText = arg.slice(2);
    else if (arg.startsWith('-') && arg !== '-') return 0;
    else files.push(arg);
  }
  if (countText === undefined || files.length > 1) return 0;
  const count = parseByteCount(countText, false);
  if (count === undefined) {
    streams.stderr.line(`head: invalid number of bytes: ${gnuQuote(countText)}`);
    return 1;
  }
  const source = files[0] ?? '-';
  if (source === '-') streams.stdout.bytes(Math.min(count, STDIN_BYTES));
  else if (ENDLESS_SOURCES.includes(source)) streams.stdout.bytes(count);
  return 0;
}

/** Operands of dd that the emulation accepts without acting on them. */
const IGNORED_DD_OPERANDS = new Set(['ibs', 'obs', 'cbs', 'conv', 'iflag', 'oflag', 'skip', 'seek', 'iseek', 'oseek']);

const DD_OPERANDS = new Set(['if', 'of', 'bs', 'count', 'status']);

/** Emulates `dd if=/dev/zero of=FILE bs=SIZE count=N` and prints dd's transfer report to stderr. */
function dd(args: string[], streams: CommandStreams, environment: ShellEnvironment): number {
  const operands = new Map<string, string>();
  for (const arg of args) {
    const equals = arg.indexOf('=');
    const key = equals === -1 ? arg : arg.slice(0, equals);
    if (equals === -1 || !(DD_OPERANDS.has(key) || IGNORED_DD_OPERANDS.has(key))) {
      return usageError('dd', `unrecognized operand ${gnuQuote(arg)}`, streams);
    }
    operands.set(key, arg.slice(equals + 1));
  }
  const blockSizeText = operands.get('bs') ?? '512';
  const blockSize = parseByteCount(blockSizeText, true);
  if (blockSize === undefined || blockSize === 0) return invalidNumber(blockSizeText, streams);
  const countText = operands.get('count');
  const blocks = countText === undefined ? undefined : parseByteCount(countText, true);
  if (countText !== undefined && blocks === undefined) return invalidNumber(countText, streams);

  const source = operands.get('if');
  const endless = source !== undefined && ENDLESS_SOURCES.includes(source);
  if (source !== undefined && !endless) return 0;
  if (endless && blocks === undefined) return 0;
  const records = endless ? (blocks ?? 0) : Math.min(blocks ?? Number.POSITIVE_INFINITY, Math.ceil(STDIN_BYTES / blockSize));
  const bytes = records * blockSize;
  const target = operands.get('of');
  if (target === undefined) streams.stdout.bytes(bytes);
  else if (target !== '/dev/null') environment.writeFile(target, bytes);
  if (operands.get('status') !== 'none') reportTransfer(records, bytes, streams);
  return 0;
}

function invalidNumber(text: string, streams: CommandStreams): number {
  streams.stderr.line(`dd: invalid number: ${gnuQuote(text)}`);
  return 1;
}

/** Prints dd's report as GNU dd does. NOTE: the duration and rate assume 1 GB/s and are invented. */
function reportTransfer(records: number, bytes: number, streams: CommandStreams): void {
  streams.stderr.line(`${records}+0 records in`);
  streams.stderr.line(`${records}+0 records out`);
  const seconds = Math.max(bytes / 1e9, 0.000_01);
  const sizes = bytes >= 1000 ? ` (${humanSize(bytes, 1000, 'B')}, ${humanSize(bytes, 1024, 'iB')})` : '';
  const noun = bytes === 1 ? 'byte' : 'bytes';
  streams.stderr.line(`${bytes} ${noun}${sizes} copied, ${seconds.toPrecision(3)} s, ${humanSize(bytes / seconds, 1000, 'B')}/s`);
}

/** Writes a size with an SI or IEC prefix, one decimal below 10, as GNU's human_readable does for dd. */
function humanSize(value: number, base: number, unit: string): string {
  const prefixes = base === 1000 ? ['', 'k', 'M', 'G', 'T', 'P', 'E'] : ['', 'K', 'M', 'G', 'T', 'P', 'E'];
  let scaled = value;
  let power = 0;
  while (scaled >= base && power < prefixes.length - 1) {
    scaled /= base;
    power += 1;
  }
  const number = scaled < 10 ? scaled.toFixed(1) : String(Math.round(scaled));
  return power === 0 ? `${Math.round(value)} B` : `${number} ${prefixes[power]}${unit}`;
}

function usageError(command: string, message: string, streams: CommandStreams): number {
  streams.stderr.line(`${command}: ${message}`);
  streams.stderr.line(`Try '${command} --help' for more information.`);
  return 1;
}

/** Quotes a value as GNU coreutils does in a UTF-8 locale. */
function gnuQuote(text: string): string {
  return `\u2018${text}\u2019`;
}
