/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('the median of no values is undefined');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * The median of `numerators[i] / denominators[i]`: a ratio between two rates measured in adjacent pairs. On a VM whose
 * speed moves by tens of percent within seconds, each pair sees about the same machine, and the median drops a pair
 * that a slowdown split; the ratio of two medians would mix pairs measured on different machines.
 */
export function medianPairedRatio(numerators: readonly number[], denominators: readonly number[]): number {
  if (numerators.length === 0 || numerators.length !== denominators.length) {
    throw new Error(
      `expected as many numerators as denominators, at least one: ${numerators.length} and ${denominators.length}`,
    );
  }
  return median(
    numerators.map((value, i) => {
      const denominator = denominators[i] as number;
      if (!(denominator > 0)) throw new Error(`denominator ${i} must be positive, got ${denominator}`);
      return value / denominator;
    }),
  );
}
