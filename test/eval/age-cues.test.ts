import { describe, expect, it } from 'vitest';
import { auc } from '../../eval/age-cues';

describe('age-cue AUC', () => {
  it('is 1 when every old face reads older than every young one, 0 the other way, and ties count half', () => {
    expect(auc([60, 70], [20, 30, 40])).toBe(1);
    expect(auc([20], [30, 40])).toBe(0);
    expect(auc([30], [30])).toBe(0.5);
    // pairs: (50>40) (50=50) (50<60), (45>40) (45<50) (45<60) → (1 + 0.5 + 1) / 6
    expect(auc([50, 45], [40, 50, 60])).toBeCloseTo(2.5 / 6, 12);
  });

  it('is NaN for an empty group', () => {
    expect(auc([], [1])).toBeNaN();
    expect(auc([1], [])).toBeNaN();
  });
});
