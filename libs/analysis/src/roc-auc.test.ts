import { describe, expect, it } from 'vitest';
import { rocAuc } from './roc-auc.js';

describe('rocAuc', () => {
  it('is 1 for a score that separates, 0 for one that separates the wrong way, ½ for ties', () => {
    expect(rocAuc([1, 2, 3, 4], [false, false, true, true])).toBe(1);
    expect(rocAuc([4, 3, 2, 1], [false, false, true, true])).toBe(0);
    expect(rocAuc([1, 1, 1, 1], [false, true, false, true])).toBe(0.5);
  });

  it('counts each positive–negative pair: 3 of 4 ordered pairs right is 0.75', () => {
    // positives 2 and 4, negatives 1 and 3: (2>1) (2<3) (4>1) (4>3) → 3 / 4.
    expect(rocAuc([1, 2, 3, 4], [false, true, false, true])).toBe(0.75);
  });

  it('is null without both outcomes and refuses mismatched lengths', () => {
    expect(rocAuc([1, 2], [true, true])).toBeNull();
    expect(() => rocAuc([1, 2], [true])).toThrow(/2 scores but 1 outcomes/);
  });
});
