import { describe, expect, it } from 'vitest';
import { erfc, mean, normalCdf, quantile, sampleSd } from './descriptive-stats.js';

describe('descriptive statistics', () => {
  it('quantile uses type-7 interpolation (numpy.quantile values)', () => {
    const v = [0.5, 1.2, 0.9, 3.3, -1.0, 7.0, 2.2];
    expect(quantile(v, 0.95)).toBeCloseTo(5.89, 12);
    expect(quantile(v, 0.025)).toBeCloseTo(-0.775, 12);
    expect(quantile(v, 0.5)).toBe(1.2);
    expect(() => quantile([], 0.5)).toThrow(/empty/);
  });

  it('mean and sample sd', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(sampleSd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(sampleSd([7])).toBe(0);
  });

  it('erfc and the normal CDF match scipy to 1e-7 relative', () => {
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 7);
    expect(normalCdf(-0.5)).toBeCloseTo(0.3085375387259869, 7);
    expect(erfc(0.3)).toBeCloseTo(0.6713732405408726, 7);
    expect(erfc(-1.2)).toBeCloseTo(1.9103139782296354, 7);
    expect(Math.abs(erfc(3) / 2.2090496998585445e-5 - 1)).toBeLessThan(2e-7);
  });
});
