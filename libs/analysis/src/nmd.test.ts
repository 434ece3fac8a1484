import { describe, expect, it } from 'vitest';
import { makeActivations } from './activations.js';
import { coordinateMeans, neuronMeanDifference } from './nmd.js';
import { pointBiserial, pooledStandardDeviation } from './point-biserial.js';
import { pearson } from './spearman.js';
import { syntheticPairs } from './test-fixtures.js';

// Hand-made: 2 pairs, 2 sites, width 2 (values row-major [member][site][dim]).
// site 0 dim 0: mem {1, 3}, gen {0, 2} → NMD 1; r = 1/√5 (x̄ = 1.5, SS = 5, cov sum = 1)
// site 0 dim 1: all 2 (constant) → NMD 0, r 0
// site 1 dim 0: all 0 (constant) → NMD 0, r 0
// site 1 dim 1: mem {5, 7}, gen {1, 3} → NMD 4; r = 4/√20 (x̄ = 4, SS = 20, cov sum = 4)
const mem = makeActivations(Float32Array.of(1, 2, 0, 5, 3, 2, 0, 7), 2, 2, 2);
const gen = makeActivations(Float32Array.of(0, 2, 0, 1, 2, 2, 0, 3), 2, 2, 2);

describe('neuronMeanDifference', () => {
  it('is the mem mean minus the gen mean per coordinate', () => {
    const nmd = neuronMeanDifference(mem, gen);
    expect([nmd.sites, nmd.width]).toEqual([2, 2]);
    expect(Array.from(nmd.values)).toEqual([1, 0, 0, 4]);
  });

  it("is the difference of the two classes' coordinate means", () => {
    expect(Array.from(coordinateMeans(mem).values)).toEqual([2, 2, 0, 6]);
    expect(Array.from(coordinateMeans(gen).values)).toEqual([1, 2, 0, 2]);
  });

  it('allows unequal group sizes', () => {
    const one = makeActivations(Float32Array.of(10, 0), 1, 1, 2);
    const three = makeActivations(Float32Array.of(1, 0, 2, 0, 6, 0), 3, 1, 2);
    expect(Array.from(neuronMeanDifference(one, three).values)).toEqual([7, 0]);
  });

  it('rejects mismatched shapes with a message naming them', () => {
    const other = makeActivations(new Float32Array(6), 1, 2, 3);
    expect(() => neuronMeanDifference(mem, other)).toThrow(/sites, width/);
    expect(() => makeActivations(new Float32Array(7), 2, 2, 2)).toThrow(/expected members\*sites\*width/);
  });
});

describe('pointBiserial', () => {
  it('matches the hand-computed r, with 0 for constant coordinates', () => {
    const r = pointBiserial(mem, gen).values;
    expect(r[0]).toBeCloseTo(1 / Math.sqrt(5), 12);
    expect(r[1]).toBe(0);
    expect(r[2]).toBe(0);
    expect(r[3]).toBeCloseTo(4 / Math.sqrt(20), 12);
  });

  it('equals Pearson correlation with the 0/1 label, and has the sign of NMD', () => {
    const { mem: m, gen: g } = syntheticPairs({
      n: 40,
      sites: 2,
      width: 5,
      seed: 3,
      shift: (_s, j) => 0.2 * (j - 2),
    });
    const r = pointBiserial(m, g);
    const nmd = neuronMeanDifference(m, g);
    const labels = [...Array(40).fill(1), ...Array(40).fill(0)];
    for (let c = 0; c < 10; c++) {
      const x = [
        ...Array.from({ length: 40 }, (_, i) => m.data[i * 10 + c]!),
        ...Array.from({ length: 40 }, (_, i) => g.data[i * 10 + c]!),
      ];
      expect(r.values[c]).toBeCloseTo(pearson(x, labels), 12);
      expect(Math.sign(r.values[c]!)).toBe(Math.sign(nmd.values[c]!));
    }
  });

  it('is exactly ±1 (never above) for perfectly separated coordinates', () => {
    const a = makeActivations(Float32Array.of(0.1, 0.1, 0.1), 3, 1, 1);
    const b = makeActivations(Float32Array.of(0.3, 0.3, 0.3), 3, 1, 1);
    expect(pointBiserial(a, b).values[0]).toBeCloseTo(-1, 12);
    expect(Math.abs(pointBiserial(a, b).values[0]!)).toBeLessThanOrEqual(1);
  });

  it('gives the pooled population standard deviation', () => {
    // site 1 dim 1 pools {5, 7, 1, 3}: mean 4, SS 20, sd √(20/4) = √5
    expect(pooledStandardDeviation(mem, gen).values[3]).toBeCloseTo(Math.sqrt(5), 12);
    expect(pooledStandardDeviation(mem, gen).values[1]).toBe(0);
  });
});
