// Values in the syntax that kaniko's Go flag parsing (spf13/pflag over Go's strconv and time
// packages) accepts, to check inputs before kaniko parses them.

const GO_BOOLEANS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);
/** strconv.ParseInt with base 0: decimal, or hexadecimal, octal and binary with a prefix. */
const GO_INTEGER = /^[+-]?(?:0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]*|[1-9][0-9]*)$/;
/** time.ParseDuration: one or more decimal numbers with a unit, or `0`. */
const GO_DURATION = /^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$|^[+-]?0$/;
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;
const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, 'μs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Tells whether strconv.ParseBool accepts `text`. */
export function isGoBoolean(text: string): boolean {
  return GO_BOOLEANS.has(text);
}

/** Tells whether strconv.ParseInt accepts `text` with base 0, as pflag's int flags parse. */
export function isGoInteger(text: string): boolean {
  return GO_INTEGER.test(text);
}

/** Returns the seconds of a Go duration such as `1h30m` or `168h`, or undefined when time.ParseDuration rejects it. */
export function goDurationSeconds(text: string): number | undefined {
  if (!GO_DURATION.test(text)) return undefined;
  const sign = text.startsWith('-') ? -1 : 1;
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(DURATION_PART)) seconds += Number(amount) * UNIT_SECONDS[unit];
  return sign * seconds;
}
