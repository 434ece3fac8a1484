import { describe, expect, it } from 'vitest';
import type { SiteMatrix } from './activations.js';
import { maskToCoordinates, rankCoordinates, topN, topNMask } from './ranking.js';

// 3 sites × 4 dims. |r| ties: index 1 and 6 (0.5), index 4 and 9 (−0.9 / 0.9). Zeros at 3, 7, 10, 11.
const r: SiteMatrix = {
  sites: 3,
  width: 4,
  values: Float64Array.of(0.1, 0.5, -0.2, 0, -0.9, 0.3, -0.5, 0, 0.05, 0.9, 0, 0),
};

describe('rankCoordinates', () => {
  it('orders by |r| descending, ties by index ascending, zeros last', () => {
    expect(Array.from(rankCoordinates(r))).toEqual([4, 9, 1, 6, 5, 2, 0, 8, 3, 7, 10, 11]);
  });

  it('leaves excluded sites out', () => {
    expect(Array.from(rankCoordinates(r, { excludeSites: [1] }))).toEqual([9, 1, 2, 0, 8, 3, 10, 11]);
  });

  it('rejects NaN and unknown sites', () => {
    expect(() =>
      rankCoordinates({ ...r, values: Float64Array.of(...r.values.slice(0, 11), Number.NaN) }),
    ).toThrow(/non-finite value NaN at site 2, dim 3/);
    expect(() => rankCoordinates(r, { excludeSites: [3] })).toThrow(/excludeSites contains 3/);
  });
});

describe('topN / topNMask', () => {
  it('returns the best coordinates with site, dim and r', () => {
    const top = topN(r, 3);
    expect(top.coordinates).toEqual([
      { site: 1, dim: 0, index: 4, r: -0.9 },
      { site: 2, dim: 1, index: 9, r: 0.9 },
      { site: 0, dim: 1, index: 1, r: 0.5 },
    ]);
    expect(Array.from(top.mask)).toEqual([0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0]);
    expect(top.eligible).toBe(12);
  });

  it('never selects r = 0 (constant) coordinates, even when asked for more', () => {
    const top = topN(r, 12);
    expect(top.coordinates).toHaveLength(8);
    expect(top.coordinates.every((c) => c.r !== 0)).toBe(true);
  });

  it('selects round(fraction × eligible) coordinates', () => {
    expect(topNMask(r, 0.25).coordinates.map((c) => c.index)).toEqual([4, 9, 1]); // round(3)
    // site 0 excluded: 8 eligible, 0.25 → 2
    const withoutEmbedding = topNMask(r, 0.25, { excludeSites: [0] });
    expect(withoutEmbedding.coordinates.map((c) => c.index)).toEqual([4, 9]);
    expect(withoutEmbedding.eligible).toBe(8);
    expect(() => topNMask(r, 0)).toThrow(/fraction must be in \(0, 1\]/);
  });

  it('round-trips a mask to its coordinates', () => {
    expect(maskToCoordinates(topN(r, 2).mask, 4)).toEqual([
      { site: 1, dim: 0, index: 4 },
      { site: 2, dim: 1, index: 9 },
    ]);
  });
});
