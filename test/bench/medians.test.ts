import { describe, expect, it } from 'vitest';
import { median, medianPairedRatio } from '../../bench/medians.js';

describe('median', () => {
  it('takes the middle value, or the mean of the middle two, whatever the order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('refuses no values', () => {
    expect(() => median([])).toThrow('the median of no values is undefined');
  });
});

describe('medianPairedRatio', () => {
  it('takes the median of the per-pair ratios, not the ratio of the medians', () => {
    // Pairs: 0.9, 0.5 (a slowdown hit only the numerator), 0.8. Ratio of medians would be 3600 / 4000 = 0.9.
    expect(medianPairedRatio([3600, 2500, 4000], [4000, 5000, 5000])).toBeCloseTo(0.8);
  });

  it('averages the middle two of an even count', () => {
    expect(medianPairedRatio([1, 3], [2, 4])).toBeCloseTo(0.625);
  });

  it('refuses mismatched, empty or non-positive input', () => {
    expect(() => medianPairedRatio([], [])).toThrow('at least one');
    expect(() => medianPairedRatio([1, 2], [1])).toThrow('2 and 1');
    expect(() => medianPairedRatio([1], [0])).toThrow('denominator 0 must be positive, got 0');
  });
});
