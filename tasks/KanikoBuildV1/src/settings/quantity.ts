// Kubernetes resource quantities (`500m`, `1`, `1Gi`, `2e9`), with the syntax of
// k8s.io/apimachinery/pkg/api/resource.Quantity.

const MULTIPLIERS: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const QUANTITY = /^(\+?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[mkMGTPE]|[eE][+-]?\d+)?$/;

/** Returns the quantity in base units (cores or bytes), or undefined when the text is not a quantity. */
export function quantityValue(text: string): number | undefined {
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const suffix = match[2] ?? '';
  const multiplier = suffix in MULTIPLIERS ? MULTIPLIERS[suffix] : 10 ** Number(suffix.slice(1));
  return Number(match[1]) * multiplier;
}
