// kaniko's log output. kaniko logs through logrus; `--log-format` picks logrus's plain text
// formatter (`text`), its coloured formatter (`color`, the default) or its JSON formatter
// (`json`). The formats below follow the logrus that osscontainertools/kaniko v1.28 vendors
// (text_formatter.go, level.go, json_formatter.go).

export type LogFormat = 'text' | 'color' | 'json';

/** logrus levels, most severe first. */
const LEVELS = ['panic', 'fatal', 'error', 'warning', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LEVELS)[number];

/** ANSI colour attributes that logrus uses for each level in the `color` format. */
const LEVEL_COLORS: Record<LogLevel, string> = {
  panic: '31', fatal: '31', error: '31', warning: '33', info: '36', debug: '2;36', trace: '2;37',
};

/** Parses a level the way logrus.ParseLevel does; undefined when invalid. */
export function parseLogLevel(text: string): LogLevel | undefined {
  const lower = text.toLowerCase();
  if (lower === 'warn') return 'warning';
  return (LEVELS as readonly string[]).includes(lower) ? (lower as LogLevel) : undefined;
}

export function isLogFormat(text: string): text is LogFormat {
  return text === 'text' || text === 'color' || text === 'json';
}

/** Formats a time as Go's time.RFC3339 does for UTC: whole seconds and a `Z`. */
export function formatRfc3339(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Quotes a string as Go's strconv.Quote does for printable text. */
export function goQuote(text: string): string {
  let quoted = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '"' || char === '\\') quoted += `\\${char}`;
    else if (char === '\n') quoted += '\\n';
    else if (char === '\t') quoted += '\\t';
    else if (char === '\r') quoted += '\\r';
    else if (code < 0x20 || code === 0x7f) quoted += `\\x${code.toString(16).padStart(2, '0')}`;
    else quoted += char;
  }
  return `${quoted}"`;
}

/** logrus quotes a text value unless every byte is an ASCII letter, digit or one of `-._/@^+`. */
function needsQuoting(text: string): boolean {
  return !/^[A-Za-z0-9\-._/@^+]*$/.test(text);
}

function appendValue(text: string): string {
  return needsQuoting(text) ? goQuote(text) : text;
}

/** Escapes `<`, `>` and `&` as Go's encoding/json does by default. */
function goJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
}

export interface KanikoLoggerOptions {
  format: LogFormat;
  level: LogLevel;
  /** `--log-timestamp`: full timestamps instead of seconds since start, `color` format only. */
  fullTimestamps: boolean;
  /** Receives each output line without its newline. */
  writeLine: (line: string) => void;
  /** Current time; tests pass a fixed clock. */
  now?: () => Date;
}

/** Writes kaniko log entries in the configured logrus format. */
export class KanikoLogger {
  private readonly startedAt: number;

  constructor(private readonly options: KanikoLoggerOptions) {
    this.startedAt = this.now().getTime();
  }

  info(message: string): void {
    this.log('info', message);
  }

  warn(message: string): void {
    this.log('warning', message);
  }

  error(message: string): void {
    this.log('error', message);
  }

  /** Writes text that is not a log entry, such as a RUN command's output, line by line. */
  raw(text: string): void {
    for (const line of text.split('\n')) this.options.writeLine(line);
  }

  log(level: LogLevel, message: string): void {
    if (LEVELS.indexOf(level) > LEVELS.indexOf(this.options.level)) return;
    const time = this.now();
    const line = this.formatEntry(level, message, time);
    for (const part of line.split('\n')) this.options.writeLine(part);
  }

  private formatEntry(level: LogLevel, message: string, time: Date): string {
    switch (this.options.format) {
      case 'json':
        return goJson({ level, msg: message, time: formatRfc3339(time) });
      case 'text': {
        // logrus leaves out the msg key when the message is empty.
        const text = message === '' ? '' : ` msg=${appendValue(message)}`;
        return `time=${appendValue(formatRfc3339(time))} level=${level}${text}`;
      }
      case 'color':
        return this.formatColored(level, message.replace(/\n$/, ''), time);
    }
  }

  private formatColored(level: LogLevel, message: string, time: Date): string {
    const levelText = `\x1b[${LEVEL_COLORS[level]}m${level.toUpperCase().slice(0, 4)}\x1b[0m`;
    const stamp = this.options.fullTimestamps
      ? formatRfc3339(time)
      : String(Math.floor((time.getTime() - this.startedAt) / 1000)).padStart(4, '0');
    return `${levelText}[${stamp}] ${message.padEnd(44)} `;
  }

  private now(): Date {
    return this.options.now ? this.options.now() : new Date();
  }
}
