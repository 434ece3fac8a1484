import { describe, expect, it } from 'vitest';
import { erfc, mean, normalCdf, quantile, sampleSd } from './descriptive-stats.js';
import { createRng, randomPermutation, sampleWithoutReplacement, shuffleInPlace } from './rng.js';

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

describe('seeded rng', () => {
  it('is deterministic per seed and distinct across seeds (large and negative included)', () => {
    const draw = (seed: number) => Array.from(randomPermutation(createRng(seed), 20));
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    expect(draw(-1)).not.toEqual(draw(0));
    expect(draw(2 ** 40)).not.toEqual(draw(0));
  });

  it('shuffles to a permutation and samples distinct sorted indices', () => {
    const items = Int32Array.from({ length: 50 }, (_, i) => i);
    shuffleInPlace(createRng(3), items);
    expect(Array.from(items).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const s = Array.from(sampleWithoutReplacement(createRng(3), 100, 30));
    expect(new Set(s).size).toBe(30);
    expect(s).toEqual([...s].sort((a, b) => a - b));
    expect(() => sampleWithoutReplacement(createRng(0), 5, 6)).toThrow(
      /cannot draw 6 items from a pool of 5/,
    );
    expect(() => createRng(0.5)).toThrow(/seed must be a safe integer/);
  });
});
