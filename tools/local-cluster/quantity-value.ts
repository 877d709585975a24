// Exact resource quantities for validation: comparison without floating-point error and the
// canonical text that resource.Quantity.String() prints in messages ("0.5" prints "500m",
// "1024Mi" prints "1Gi"). quantity.ts decides whether a text is a quantity at all.
import { parseQuantity } from './quantity';

type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** mantissa × 10^exponent, and the format the text was written in. */
export interface ExactQuantity {
  mantissa: bigint;
  exponent: number;
  format: QuantityFormat;
}

const PARTS = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$/;
const DECIMAL_EXPONENTS: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_POWERS: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_SUFFIXES = new Map(Object.entries(DECIMAL_EXPONENTS).map(([suffix, exponent]) => [exponent, suffix]));
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const NANO_EXPONENT = -9;

/** Parses a quantity exactly; undefined when quantity.ts rejects the text. */
export function parseExactQuantity(text: string): ExactQuantity | undefined {
  if (parseQuantity(text) === undefined) return undefined;
  const match = PARTS.exec(text);
  if (!match) return undefined;
  const [, sign, whole, fraction = '', suffix = ''] = match;
  let mantissa = BigInt(`${whole}${fraction}` || '0');
  if (sign === '-') mantissa = -mantissa;
  let exponent = -fraction.length;
  let format: QuantityFormat = 'DecimalSI';
  if (suffix in BINARY_POWERS) {
    mantissa *= 1024n ** BigInt(BINARY_POWERS[suffix]);
    format = 'BinarySI';
  } else if (suffix in DECIMAL_EXPONENTS) {
    exponent += DECIMAL_EXPONENTS[suffix];
  } else {
    exponent += Number(suffix.slice(1));
    format = 'DecimalExponent';
  }
  return roundUpToNano({ mantissa, exponent, format });
}

/** Go keeps at most nanounit precision and rounds finer values up (away from zero for positives). */
function roundUpToNano(quantity: ExactQuantity): ExactQuantity {
  if (quantity.exponent >= NANO_EXPONENT) return quantity;
  const divisor = 10n ** BigInt(NANO_EXPONENT - quantity.exponent);
  let mantissa = quantity.mantissa / divisor;
  if (quantity.mantissa > 0n && quantity.mantissa % divisor !== 0n) mantissa += 1n;
  return { ...quantity, mantissa, exponent: NANO_EXPONENT };
}

/** Returns -1, 0 or 1 as `a` is less than, equal to or greater than `b`. */
export function compareQuantities(a: ExactQuantity, b: ExactQuantity): number {
  const exponent = Math.min(a.exponent, b.exponent);
  const left = a.mantissa * 10n ** BigInt(a.exponent - exponent);
  const right = b.mantissa * 10n ** BigInt(b.exponent - exponent);
  if (left === right) return 0;
  return left < right ? -1 : 1;
}

/** Returns a + b in the format of `a`, as resource.Quantity.Add does. */
export function addQuantities(a: ExactQuantity, b: ExactQuantity): ExactQuantity {
  const exponent = Math.min(a.exponent, b.exponent);
  const mantissa = a.mantissa * 10n ** BigInt(a.exponent - exponent) + b.mantissa * 10n ** BigInt(b.exponent - exponent);
  return { mantissa, exponent, format: a.format };
}

/** Returns the value in base units (bytes, cores) as a floating-point number. */
export function quantityNumber(quantity: ExactQuantity): number {
  return Number(quantity.mantissa) * 10 ** quantity.exponent;
}

export function isNegative(quantity: ExactQuantity): boolean {
  return quantity.mantissa < 0n;
}

export function isZero(quantity: ExactQuantity): boolean {
  return quantity.mantissa === 0n;
}

/** Returns the canonical text, as resource.Quantity.String() prints it. */
export function formatQuantity(quantity: ExactQuantity): string {
  if (quantity.mantissa === 0n) return '0';
  if (quantity.format === 'BinarySI') {
    const binary = formatBinary(quantity);
    if (binary !== undefined) return binary;
  }
  return formatDecimal(quantity, quantity.format === 'DecimalExponent');
}

/** BinarySI text, or undefined when Go would fall back to DecimalSI (small or fractional values). */
function formatBinary(quantity: ExactQuantity): string | undefined {
  const integer = integerValue(quantity);
  if (integer === undefined || (integer > -1024n && integer < 1024n)) return undefined;
  let value = integer;
  let power = 0;
  while (power < BINARY_SUFFIXES.length - 1 && value % 1024n === 0n) {
    value /= 1024n;
    power += 1;
  }
  return `${value}${BINARY_SUFFIXES[power]}`;
}

function integerValue(quantity: ExactQuantity): bigint | undefined {
  if (quantity.exponent >= 0) return quantity.mantissa * 10n ** BigInt(quantity.exponent);
  const divisor = 10n ** BigInt(-quantity.exponent);
  return quantity.mantissa % divisor === 0n ? quantity.mantissa / divisor : undefined;
}

/** Writes mantissa × 10^e with e the largest multiple of 3 that keeps the mantissa whole. */
function formatDecimal(quantity: ExactQuantity, exponentNotation: boolean): string {
  let { mantissa, exponent } = quantity;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent += 1;
  }
  const scaled = Math.floor(exponent / 3) * 3;
  mantissa *= 10n ** BigInt(exponent - scaled);
  if (exponentNotation) return scaled === 0 ? `${mantissa}` : `${mantissa}e${scaled}`;
  const suffix = DECIMAL_SUFFIXES.get(scaled);
  return suffix === undefined ? `${mantissa}e${scaled}` : `${mantissa}${suffix}`;
}
