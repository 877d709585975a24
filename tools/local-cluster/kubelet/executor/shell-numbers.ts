// Numbers in the arguments of GNU coreutils 9 commands: byte counts with multiplier suffixes
// (`head -c 10M`, `dd bs=1M`) and sleep intervals with unit suffixes (`sleep 1.5m`).

const POWER_LETTERS = ['K', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y', 'R', 'Q'];

/** Multipliers that head and dd accept: b, KB/kB, K, KiB and the like up to Q. */
const BYTE_SUFFIXES: ReadonlyMap<string, bigint> = new Map([
  ['', 1n],
  ['b', 512n],
  ['kB', 1000n],
  ...POWER_LETTERS.flatMap((letter, index): Array<[string, bigint]> => {
    const binary = 1024n ** BigInt(index + 1);
    const decimal = 1000n ** BigInt(index + 1);
    return [[letter, binary], [`${letter}iB`, binary], [`${letter}B`, decimal]];
  }),
]);
/** dd also accepts c (1), w (2) and xM, a synonym of M. */
const DD_SUFFIXES: ReadonlyMap<string, bigint> = new Map([['c', 1n], ['w', 2n], ['xM', 1024n ** 2n]]);

/**
 * Parses a byte count such as `100`, `10M` or `1GB`; undefined when GNU rejects it. Counts
 * beyond 2^53 are rejected too, although coreutils accepts up to 2^63.
 */
export function parseByteCount(text: string, dd: boolean): number | undefined {
  const match = /^(\d+)([A-Za-z]*)$/.exec(text);
  if (!match) return undefined;
  const multiplier = BYTE_SUFFIXES.get(match[2]) ?? (dd ? DD_SUFFIXES.get(match[2]) : undefined);
  if (multiplier === undefined) return undefined;
  const value = BigInt(match[1]) * multiplier;
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}

const SLEEP_UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 };

/** Parses a sleep interval (`5`, `0.5`, `2m`, `infinity`) into seconds; undefined when GNU sleep rejects it. */
export function parseSleepSeconds(text: string): number | undefined {
  const match = /^(\d+(?:\.\d*)?|\.\d+|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?)([smhd]?)$/.exec(text);
  if (!match) return undefined;
  const number = /^\d|^\./.test(match[1]) ? Number(match[1]) : Number.POSITIVE_INFINITY;
  return number * SLEEP_UNITS[match[2]];
}
