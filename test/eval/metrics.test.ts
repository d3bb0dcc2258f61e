import { describe, expect, it } from 'vitest';
import { median, quantile } from '../../eval/metrics';

describe('quantile', () => {
  it('interpolates between the nearest ranks, whatever the input order', () => {
    const values = [40, 10, 30, 20, 50]; // sorted: 10 20 30 40 50, ranks 0..4
    expect(quantile(values, 0)).toBe(10);
    expect(quantile(values, 1)).toBe(50);
    expect(quantile(values, 0.5)).toBe(30);
    expect(quantile(values, 0.05)).toBeCloseTo(12, 12); // rank 0.2: 10 + 0.2 × 10
    expect(quantile(values, 0.9)).toBeCloseTo(46, 12); // rank 3.6
    expect(values).toEqual([40, 10, 30, 20, 50]); // the input is not sorted in place
  });

  it('is NaN for no values, and the value itself for one', () => {
    expect(quantile([], 0.05)).toBeNaN();
    expect(quantile([7], 0.05)).toBe(7);
  });

  it('gives the median its usual meaning: the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
