// Kubernetes resource quantities ("1", "500m", "1Gi", "1e3"), as defined by the
// apimachinery resource.Quantity type: a signed decimal number and an optional suffix.

const BINARY_SUFFIXES: Record<string, number> = {
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const DECIMAL_SUFFIXES: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};
const QUANTITY = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$/;

/** Parses a quantity into its value in base units (cores or bytes); undefined when invalid. */
export function parseQuantity(text: string): number | undefined {
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const number = Number(match[1]);
  const suffix = match[2] ?? '';
  if (suffix in BINARY_SUFFIXES) return number * BINARY_SUFFIXES[suffix];
  if (suffix in DECIMAL_SUFFIXES) return number * DECIMAL_SUFFIXES[suffix];
  return number * 10 ** Number(suffix.slice(1));
}
