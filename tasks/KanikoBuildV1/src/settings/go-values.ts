// Values in the syntax that kaniko's Go flag parsing (spf13/pflag over Go's strconv and time
// packages) accepts, to check inputs before kaniko parses them.

/** time.ParseDuration: one or more decimal numbers with a unit, or `0`. */
const GO_DURATION = /^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$|^[+-]?0$/;
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;
const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, 'μs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Returns the seconds of a Go duration such as `1h30m` or `168h`, or undefined when time.ParseDuration rejects it. */
export function goDurationSeconds(text: string): number | undefined {
  if (!GO_DURATION.test(text)) return undefined;
  const sign = text.startsWith('-') ? -1 : 1;
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(DURATION_PART)) seconds += Number(amount) * UNIT_SECONDS[unit];
  return sign * seconds;
}
