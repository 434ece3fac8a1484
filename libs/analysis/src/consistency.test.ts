import { stream } from '@memgen/common';
import { describe, expect, it } from 'vitest';
import { selectMembers } from './activations.js';
import { mean } from './descriptive-stats.js';
import {
  compareDiceLayerMatched,
  compareDiceWithRandom,
  dice,
  expectedRandomDice,
  randomDiceDistribution,
} from './dice.js';
import { neuronMeanDifference } from './nmd.js';
import { averageRanks, spearman } from './spearman.js';
import { splitHalfPairs, splitHalfStatistics } from './split-half.js';
import { syntheticPairs } from './test-fixtures.js';

describe('dice', () => {
  it('is 2|A∩B|/(|A|+|B|) for known masks', () => {
    const a = Uint8Array.of(1, 1, 1, 1, 0, 0, 0);
    const b = Uint8Array.of(0, 0, 1, 1, 1, 0, 0);
    expect(dice(a, b)).toBeCloseTo(4 / 7, 12);
    expect(dice(a, a)).toBe(1);
    expect(dice(a, Uint8Array.of(0, 0, 0, 0, 1, 1, 0))).toBe(0);
    expect(() => dice(new Uint8Array(3), new Uint8Array(3))).toThrow(/both masks are empty/);
  });

  it('random masks average the closed form 2·k1·k2/(M·(k1+k2))', () => {
    expect(expectedRandomDice(10, 20, 100)).toBeCloseTo((2 * 200) / 3000, 12);
    const draws = randomDiceDistribution(10, 20, 100, stream(3, 'test/dice'), { draws: 4000 });
    // sd of one draw ≈ 0.085, so the mean of 4000 is within ≈ 0.004 of 0.1333.
    expect(mean(draws)).toBeCloseTo(expectedRandomDice(10, 20, 100), 2);
    expect(draws.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('compares an observed overlap with random masks', () => {
    const a = new Uint8Array(200);
    const b = new Uint8Array(200);
    for (let i = 0; i < 10; i++) a[i] = 1;
    for (let i = 2; i < 12; i++) b[i] = 1;
    const c = compareDiceWithRandom(a, b, stream(1, 'test/dice'), { draws: 999 });
    expect(c.dice).toBeCloseTo(0.8, 12);
    expect(c.expectedRandom).toBeCloseTo(0.05, 12);
    expect(c.pValue).toBe(1 / 1000);
    expect(c.random95).toBeLessThan(0.3);
  });

  it('layer-matched masks: masks in the same site overlap by chance far beyond uniform masks', () => {
    // 4 sites of 50; both masks hold 10 coordinates of site 2 only, 3 of them shared.
    const width = 50;
    const a = new Uint8Array(4 * width);
    const b = new Uint8Array(4 * width);
    for (let i = 0; i < 10; i++) a[2 * width + i] = 1;
    for (let i = 7; i < 17; i++) b[2 * width + i] = 1;
    const uniform = compareDiceWithRandom(a, b, stream(2, 'test/dice'), { draws: 999 });
    const matched = compareDiceLayerMatched(a, b, width, stream(2, 'test/layer-matched'), { draws: 4000 });
    expect(uniform.dice).toBeCloseTo(0.3, 12);
    expect(uniform.expectedRandom).toBeCloseTo(0.05, 12);
    expect(uniform.pValue).toBeLessThan(0.05);
    expect(uniform.random95).toBeLessThan(0.3);
    // Within site 2: E|A ∩ B| = 10·10/50 = 2, so E[Dice] = 2·2/20 = 0.2; 3 shared is not unusual.
    expect(matched.expected).toBeCloseTo(0.2, 12);
    expect(matched.pValue).toBeGreaterThan(0.2);
    expect(matched.random95).toBeGreaterThanOrEqual(0.3);
    // The same masks spread over different sites share nothing by chance.
    const spread = new Uint8Array(4 * width);
    for (let i = 0; i < 10; i++) spread[i] = 1;
    expect(
      compareDiceLayerMatched(a, spread, width, stream(0, 'test/layer-matched'), { draws: 10 }).expected,
    ).toBe(0);
    expect(() => compareDiceLayerMatched(a, b, 7, stream(0, 'test/layer-matched'))).toThrow(
      /width 7 does not divide the mask length 200/,
    );
  });
});

describe('spearman', () => {
  it('is 1 for a monotone transform and −1 for a reversing one', () => {
    const x = [0.3, -1.2, 5, 2.2, 0.01, 9];
    expect(
      spearman(
        x,
        x.map((v) => Math.exp(3 * v)),
      ),
    ).toBeCloseTo(1, 12);
    expect(
      spearman(
        x,
        x.map((v) => -(v ** 3)),
      ),
    ).toBeCloseTo(-1, 12);
  });

  it('uses average ranks for ties (matches scipy.stats.spearmanr / rankdata)', () => {
    const a = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
    const b = [2, 7, 1, 8, 2, 8, 1, 8, 2, 8];
    expect(Array.from(averageRanks(a))).toEqual([4.5, 1.5, 6, 1.5, 7.5, 10, 3, 9, 7.5, 4.5]);
    expect(spearman(a, b)).toBeCloseTo(0.13471506281091267, 12);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBe(0);
  });
});

describe('split half', () => {
  it('splits pairs into two disjoint equal halves, leaving one out when odd', () => {
    const [a, b] = splitHalfPairs(11, stream(4, 'test/split'));
    expect(a.length).toBe(5);
    expect(b.length).toBe(5);
    const all = new Set([...a, ...b]);
    expect(all.size).toBe(10);
    expect([...all].every((p) => p >= 0 && p < 11)).toBe(true);
    expect(Array.from(a)).toEqual(Array.from(a).sort((x, y) => x - y));
  });

  it('returns each half its own NMD and r; a shared planted signal makes the NMDs agree', () => {
    // A distinct shift on every coordinate, so the signal sets every rank: coordinates without one
    // would be ranked by noise alone, and with half of them noise-ranked ρ falls under 0.7 in a few
    // percent of draws.
    const { mem, gen } = syntheticPairs({
      n: 200,
      sites: 2,
      width: 10,
      seed: 6,
      shift: (s, j) => 0.05 * (s * 10 + j + 1),
    });
    const [h1, h2] = splitHalfStatistics(mem, gen, stream(2, 'test/split'));
    expect(Array.from(h1.nmd.values)).toEqual(
      Array.from(neuronMeanDifference(selectMembers(mem, h1.pairs), selectMembers(gen, h1.pairs)).values),
    );
    expect(h1.r.values.length).toBe(20);
    expect(spearman(h1.nmd.values, h2.nmd.values)).toBeGreaterThan(0.7);
  });
});
