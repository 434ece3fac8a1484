import { stream } from '@memgen/common';
import { describe, expect, it } from 'vitest';
import { accuracy, type BehaviourLabel, countLabels, labelFractions } from './behaviour-labels.js';
import { bootstrapTransitions, transitionTable } from './steering-transitions.js';
import { compareSwitchRates, exactSignTestP, twoProportionZTest } from './switch-rate-tests.js';

const before: BehaviourLabel[] = ['mem', 'mem', 'mem', 'mem', 'gen', 'gen', 'other', 'mem'];
const after: BehaviourLabel[] = ['gen', 'gen', 'mem', 'other', 'mem', 'gen', 'gen', 'gen'];

describe('transitionTable', () => {
  it('counts where originally-mem and originally-gen items went', () => {
    const table = transitionTable(before, after);
    // 5 mem items → gen, gen, mem, other, gen
    expect(table.fromMem).toEqual({
      total: 5,
      counts: { mem: 1, gen: 3, other: 1 },
      rates: { mem: 0.2, gen: 0.6, other: 0.2 },
    });
    expect(table.fromGen.counts).toEqual({ mem: 1, gen: 1, other: 0 });
    expect(table.fromGen.rates).toEqual({ mem: 0.5, gen: 0.5, other: 0 });
  });

  it('gives null rates for an empty group and rejects bad labels', () => {
    expect(transitionTable(['mem'], ['gen']).fromGen).toEqual({
      total: 0,
      counts: { mem: 0, gen: 0, other: 0 },
      rates: null,
    });
    expect(() => transitionTable(['mem', 'MEM' as BehaviourLabel], ['gen', 'gen'])).toThrow(
      /before\[1\] = "MEM"/,
    );
    expect(() => transitionTable(['mem'], ['gen', 'gen'])).toThrow(/same items/);
  });
});

describe('bootstrapTransitions', () => {
  // 400 originally-mem items, each switching to gen with true probability 0.3 (seeded draws).
  const rng = stream(17, 'test/switches');
  const b: BehaviourLabel[] = Array(400).fill('mem');
  const a: BehaviourLabel[] = b.map(() => (rng.float() < 0.3 ? 'gen' : 'mem'));

  it('covers the true rate, with about the binomial width', () => {
    const ci = bootstrapTransitions(b, a, stream(1, 'test/bootstrap')).fromMem!;
    expect(ci.gen.lower).toBeLessThan(0.3);
    expect(ci.gen.upper).toBeGreaterThan(0.3);
    expect(ci.gen.lower).toBeLessThanOrEqual(ci.gen.rate);
    expect(ci.gen.upper).toBeGreaterThanOrEqual(ci.gen.rate);
    // The drawn sample has rate 0.2775; normal-approximation width 2 · 1.96 · √(0.2775 · 0.7225 / 400)
    // ≈ 0.0878 (a 90 % interval would be ≈ 0.074).
    expect(ci.gen.rate).toBe(0.2775);
    expect(ci.gen.upper - ci.gen.lower).toBeGreaterThan(0.08);
    expect(ci.gen.upper - ci.gen.lower).toBeLessThan(0.095);
    expect(ci.other).toEqual({ rate: 0, lower: 0, upper: 0 });
  });

  it('is deterministic from the stream and null for empty groups', () => {
    const x = bootstrapTransitions(b, a, stream(4, 'test/bootstrap'), { resamples: 300 });
    const y = bootstrapTransitions(b, a, stream(4, 'test/bootstrap'), { resamples: 300 });
    expect(x).toEqual(y);
    expect(x.fromGen).toBeNull();
  });
});

describe('switch-rate tests', () => {
  it('two-proportion z-test matches scipy (30/100 vs 15/100: z 2.5400, p 0.011085)', () => {
    const t = twoProportionZTest(30, 100, 15, 100);
    expect(t.z).toBeCloseTo(2.5400025400038095, 10);
    expect(t.pValue).toBeCloseTo(0.011085166380602711, 6);
    expect(twoProportionZTest(0, 10, 0, 12).pValue).toBe(1);
  });

  it('exact sign test matches scipy.stats.binomtest', () => {
    expect(exactSignTestP(2, 10)).toBeCloseTo(0.109375, 12);
    expect(exactSignTestP(3, 40)).toBeCloseTo(1.946500560734421e-8, 15);
    expect(exactSignTestP(30, 40)).toBeCloseTo(0.0022214337732293643, 12);
    expect(exactSignTestP(500, 1000)).toBe(1);
    expect(exactSignTestP(0, 0)).toBe(1);
  });

  it('compares targeted and random switch rates on the same items', () => {
    const unsteered: BehaviourLabel[] = ['mem', 'mem', 'mem', 'mem', 'mem', 'gen'];
    const targeted: BehaviourLabel[] = ['gen', 'gen', 'gen', 'mem', 'other', 'gen'];
    const random: BehaviourLabel[] = ['mem', 'gen', 'mem', 'mem', 'mem', 'mem'];
    const c = compareSwitchRates(unsteered, targeted, random, 'mem', 'gen');
    expect(c.items).toBe(5);
    expect(c.targetedRate).toBeCloseTo(0.6, 12);
    expect(c.randomRate).toBeCloseTo(0.2, 12);
    expect([c.targetedOnly, c.randomOnly]).toEqual([2, 0]);
    expect(c.pairedPValue).toBeCloseTo(0.5, 12); // 2 · P(X ≤ 0), X ~ Bin(2, ½)
    expect(() => compareSwitchRates(['gen'], ['gen'], ['gen'], 'mem', 'gen')).toThrow(/no item is 'mem'/);
  });
});

describe('paired test of targeted vs control on the same items', () => {
  it('is McNemar exact on the discordant items (hand-computed)', () => {
    // 12 originally-mem items: 1 switched under both runs, 7 under the targeted run only, 1 under the
    // control only, 3 under neither. Discordant: 7 vs 1, so p = 2·P(X ≤ 1), X ~ Bin(8, ½)
    // = 2·(1 + 8)/256 = 0.0703125 — the concordant items carry no information.
    const unsteered: BehaviourLabel[] = Array(12).fill('mem');
    const targeted: BehaviourLabel[] = [...Array(8).fill('gen'), 'other', 'mem', 'mem', 'mem'];
    const control: BehaviourLabel[] = ['gen', ...Array(7).fill('mem'), 'gen', 'mem', 'other', 'mem'];
    const c = compareSwitchRates(unsteered, targeted, control, 'mem', 'gen');
    expect([c.targetedOnly, c.randomOnly]).toEqual([7, 1]);
    expect(c.pairedPValue).toBeCloseTo(18 / 256, 15);
    // Adding concordant items (switched by both, or by neither) leaves the paired p unchanged.
    const more = compareSwitchRates(
      [...unsteered, 'mem', 'mem'],
      [...targeted, 'gen', 'mem'],
      [...control, 'gen', 'mem'],
      'mem',
      'gen',
    );
    expect(more.pairedPValue).toBeCloseTo(18 / 256, 15);
    // The unpaired z-test ignores the pairing and answers a different question (8/12 vs 2/12).
    expect(c.twoProportion.pValue).not.toBeCloseTo(c.pairedPValue, 3);
  });
});

describe('label helpers', () => {
  it('counts labels, fractions and accuracy', () => {
    expect(countLabels(after)).toEqual({ mem: 2, gen: 5, other: 1, total: 8 });
    expect(labelFractions(['mem', 'gen', 'gen', 'other'])).toEqual({ mem: 0.25, gen: 0.5, other: 0.25 });
    expect(accuracy(['mem', 'gen', 'gen'], ['mem', 'gen', 'mem'])).toBeCloseTo(2 / 3, 12);
    expect(() => accuracy([1], [1, 2])).toThrow(/1 predictions for 2 true values/);
  });
});
