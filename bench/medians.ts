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

/**
 * Which fixed-rate repetition a scenario reports (its p99 and the rest): the median by `p99s` of the undisturbed
 * repetitions when at least `wanted` were undisturbed (disturbance.ts), else the median of all of them, the upper of
 * the middle two for an even count, so that a scenario the neighbours kept disturbing errs on the slow side.
 */
export function reportedRepetition(
  p99s: readonly number[],
  disturbed: readonly boolean[],
  wanted: number,
): { index: number; overDisturbed: boolean } {
  if (p99s.length === 0 || p99s.length !== disturbed.length) {
    throw new Error(`expected a disturbed flag for each p99, at least one: ${p99s.length} and ${disturbed.length}`);
  }
  const indexes = p99s.map((_, index) => index);
  const undisturbed = indexes.filter((index) => !disturbed[index]);
  const overDisturbed = undisturbed.length < wanted;
  const candidates = (overDisturbed ? indexes : undisturbed).sort(
    (a, b) => (p99s[a] as number) - (p99s[b] as number) || a - b,
  );
  return { index: candidates[Math.floor(candidates.length / 2)] as number, overDisturbed };
}
