import { describe, expect, it } from 'vitest';
import { holm } from './holm.js';

describe('holm', () => {
  it('adjusts hand-made p-values (sorted: 4·0.005, 3·0.01, 2·0.03, then the running max)', () => {
    const adjusted = holm([0.01, 0.04, 0.03, 0.005]);
    const want = [0.03, 0.06, 0.06, 0.02];
    adjusted.forEach((p, i) => {
      expect(p).toBeCloseTo(want[i]!, 15);
    });
  });

  it('is monotone in p, capped at 1, and gives ties the same value', () => {
    const p = [0.2, 0.01, 0.5, 0.01, 0.9, 0.04];
    const adjusted = holm(p);
    // sorted 0.01, 0.01, 0.04, 0.2, 0.5, 0.9 → 0.06, max(0.06, 0.05), 0.16, 0.6, 1 (capped), 1
    const want = [0.6, 0.06, 1, 0.06, 1, 0.16];
    adjusted.forEach((v, i) => {
      expect(v).toBeCloseTo(want[i]!, 15);
    });
    for (let i = 0; i < p.length; i++) {
      for (let j = 0; j < p.length; j++)
        if (p[i]! <= p[j]!) expect(adjusted[i]).toBeLessThanOrEqual(adjusted[j]!);
    }
    expect(holm([0.6, 0.7])).toEqual([1, 1]);
    expect(holm([0.3])).toEqual([0.3]);
    expect(holm([])).toEqual([]);
  });

  it('never lowers a p-value and rejects values outside [0, 1]', () => {
    const p = [0.001, 0.02, 0.3];
    holm(p).forEach((v, i) => {
      expect(v).toBeGreaterThanOrEqual(p[i]!);
    });
    expect(() => holm([0.1, Number.NaN])).toThrow('p-value 1 must be in [0, 1], got NaN');
    expect(() => holm([1.5])).toThrow('p-value 0 must be in [0, 1], got 1.5');
  });
});
