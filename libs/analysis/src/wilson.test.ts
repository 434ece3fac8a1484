import { describe, expect, it } from 'vitest';
import { wilsonInterval } from './wilson.js';

describe('wilsonInterval', () => {
  it('matches Newcombe (1998), Table I, method 3', () => {
    const cases: [number, number, number, number][] = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ];
    for (const [k, n, lo, hi] of cases) {
      const [l, h] = wilsonInterval(k, n);
      expect(l).toBeCloseTo(lo, 4);
      expect(h).toBeCloseTo(hi, 4);
    }
  });

  it('is exact at the ends and symmetric under k → n − k', () => {
    expect(wilsonInterval(0, 150)[0]).toBe(0);
    expect(wilsonInterval(150, 150)[1]).toBe(1);
    const [a, b] = wilsonInterval(3, 40);
    const [c, d] = wilsonInterval(37, 40);
    expect(a).toBeCloseTo(1 - d, 12);
    expect(b).toBeCloseTo(1 - c, 12);
  });

  it('names a bad count', () => {
    expect(() => wilsonInterval(5, 4)).toThrow(/k must be an integer in \[0, 4\], got 5/);
    expect(() => wilsonInterval(0, 0)).toThrow(/n must be a positive integer, got 0/);
  });
});
