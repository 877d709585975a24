// Small calculations and number formats of the benchmark report.

/** Returns the median of `values`, the mean of the middle two for an even count; undefined when empty. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function maximum(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : Math.max(...values);
}

/** Returns `numerator / denominator`; undefined when either is missing or the denominator is not positive. */
export function ratio(numerator: number | undefined, denominator: number | undefined): number | undefined {
  if (numerator === undefined || denominator === undefined || !(denominator > 0)) return undefined;
  return numerator / denominator;
}

/** Formats a number with `digits` decimals, or `-` when it is missing. */
export function formatNumber(value: number | undefined, digits = 2): string {
  return value === undefined ? '-' : value.toFixed(digits);
}

/** Formats bytes as decimal megabytes (1 MB = 1,000,000 bytes) with one decimal. */
export function formatMegabytes(bytes: number | undefined): string {
  return bytes === undefined ? '-' : `${(bytes / 1_000_000).toFixed(1)}`;
}

/** Formats rows as a text table, the first column aligned left and the others right. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string => cells
    .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
    .join('  ')
    .trimEnd();
  return [line(headers), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}
