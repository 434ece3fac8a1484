import { describe, expect, it } from 'vitest';
import { type Stream, stream, streamFromState } from './random.js';

const ints = (s: Stream, n: number) => Array.from({ length: n }, () => s.int(0, 1_000_000));
const floats = (s: Stream, n: number) => Array.from({ length: n }, () => s.float());

describe('stream(seed, purpose)', () => {
  it('gives the same numbers for the same seed and purpose', () => {
    expect(ints(stream(7, 'a'), 50)).toEqual(ints(stream(7, 'a'), 50));
  });

  it('gives different numbers for another seed or another purpose', () => {
    const base = ints(stream(7, 'a'), 50);
    expect(ints(stream(8, 'a'), 50)).not.toEqual(base);
    expect(ints(stream(7, 'b'), 50)).not.toEqual(base);
  });

  it('is pinned: the first draws of seed 1 never change across versions', () => {
    // Golden values of the task streams: a changed derivation would silently change every dataset.
    expect(ints(stream(1, 'golden'), 4)).toEqual([409175, 179440, 28270, 907110]);
  });

  it('keeps seeds apart that 32-bit seeding would alias', () => {
    expect(floats(stream(5 + 2 ** 32, 'model/init'), 4)).not.toEqual(floats(stream(5, 'model/init'), 4));
    expect(floats(stream(-5, 'x'), 4)).not.toEqual(floats(stream(5, 'x'), 4));
  });

  it('rejects seeds that are not safe integers', () => {
    expect(() => stream(1.5, 'x')).toThrow(/seed must be a safe integer, got 1.5/);
    expect(() => stream(2 ** 60, 'x')).toThrow(/seed must be a safe integer/);
  });
});

describe('distinct purposes never share a stream', () => {
  const purposes = [
    'stats/permutations/resid',
    'stats/permutations/mlp-post',
    'probes',
    'probes/folds',
    'probes/labels',
    'probes/subsample',
    'consistency/spearman-null',
    'model/init',
    ...Array.from({ length: 10 }, (_, s) => [
      `consistency/split-${s}`,
      `consistency/split-${s}/halves`,
      `consistency/split-${s}/spearman-null`,
      ...Array.from({ length: 4 }, (_, k) => `consistency/split-${s}/fraction-${k}`),
    ]).flat(),
  ];

  it('the first draws of many purposes are pairwise distinct, for several seeds', () => {
    for (const seed of [0, 1, 2, 1000]) {
      const first = purposes.map((p) => floats(stream(seed, p), 2).join(','));
      expect(new Set(first).size).toBe(purposes.length);
    }
  });

  it('split 0 / fraction 1 and split 1 / fraction 0 draw different streams', () => {
    for (const seed of [0, 1, 7]) {
      const a = stream(seed, 'consistency/split-0').derive('fraction-1');
      const b = stream(seed, 'consistency/split-1').derive('fraction-0');
      expect(floats(a, 8)).not.toEqual(floats(b, 8));
    }
  });

  it("a split's Spearman null and its fraction-0 Dice baseline draw different streams", () => {
    for (const seed of [0, 1, 7]) {
      for (let s = 0; s < 3; s++) {
        const split = stream(seed, `consistency/split-${s}`);
        expect(floats(split.derive('spearman-null'), 8)).not.toEqual(floats(split.derive('fraction-0'), 8));
      }
    }
  });

  it('one seed apart is not one purpose apart: (seed 1, split-0) differs from (seed 0, split-1)', () => {
    const a = stream(1, 'consistency/split-0').derive('fraction-0');
    const b = stream(0, 'consistency/split-1').derive('fraction-0');
    expect(floats(a, 8)).not.toEqual(floats(b, 8));
  });
});

describe('Stream.derive', () => {
  it('is the stream of the extended purpose path, whatever the parent has drawn', () => {
    const parent = stream(3, 'consistency');
    const before = floats(parent.derive('split-1'), 10);
    floats(parent, 25);
    expect(floats(parent.derive('split-1'), 10)).toEqual(before);
    expect(floats(stream(3, 'consistency/split-1'), 10)).toEqual(before);
    expect(parent.derive('split-1').purpose).toBe('consistency/split-1');
  });

  it('nests, and differs from the parent and from its siblings', () => {
    const parent = stream(3, 'a');
    const nested = parent.derive('b').derive('c');
    expect(nested.purpose).toBe('a/b/c');
    expect(floats(nested, 5)).toEqual(floats(stream(3, 'a/b/c'), 5));
    expect(floats(parent.derive('b'), 5)).not.toEqual(floats(stream(3, 'a'), 5));
    expect(floats(parent.derive('b'), 5)).not.toEqual(floats(parent.derive('c'), 5));
  });

  it('refuses on a restored stream, which no longer knows its purpose', () => {
    const restored = streamFromState(stream(3, 'a').snapshot());
    expect(restored.purpose).toBeNull();
    expect(() => restored.derive('b')).toThrow(/restored stream has no purpose/);
  });
});

describe('snapshot, restore and clone', () => {
  it('resumes exactly from a snapshot, through JSON', () => {
    const s = stream(3, 'resume');
    ints(s, 17);
    const saved = JSON.parse(JSON.stringify(s.snapshot()));
    const expected = ints(s, 30);
    expect(ints(streamFromState(saved), 30)).toEqual(expected);
  });

  it('a clone continues from the same position, independently', () => {
    const s = stream(4, 'clone');
    floats(s, 3);
    const c = s.clone();
    expect(floats(c, 10)).toEqual(floats(s, 10));
    floats(c, 5);
    expect(floats(s, 3)).not.toEqual(floats(c, 3));
    expect(c.purpose).toBe('clone');
  });

  it('rejects bad states with a message', () => {
    expect(() => streamFromState({ algorithm: 'mt' } as never)).toThrow(/unknown algorithm "mt"/);
    expect(() => streamFromState({ algorithm: 'xoroshiro128plus', state: [1, 2, 3] } as never)).toThrow(
      /four int32 values/,
    );
    expect(() => streamFromState({ algorithm: 'xoroshiro128plus', state: [0, 0, 0, 0] })).toThrow(/all-zero/);
  });
});

describe('draws', () => {
  it('int stays in range and hits both ends; bit and float are fair', () => {
    const s = stream(1, 'int');
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(s.int(3, 7));
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
    expect(() => s.int(5, 4)).toThrow(/min <= max/);
    const bits = Array.from({ length: 4000 }, () => (s.bit() ? 1 : 0)).reduce<number>((a, b) => a + b, 0);
    expect(Math.abs(bits / 4000 - 0.5)).toBeLessThan(0.03);
    const f = floats(s, 4000);
    expect(Math.min(...f)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...f)).toBeLessThan(1);
  });

  it('normal has mean 0 and variance 1', () => {
    const s = stream(2, 'normal');
    const x = Array.from({ length: 20_000 }, () => s.normal());
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / (x.length - 1);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('pick, shuffle and permutation cover their inputs; shuffle leaves its input alone', () => {
    const s = stream(2, 's');
    const input = [1, 2, 3, 4, 5, 6];
    expect(s.shuffle(input).sort()).toEqual(input);
    expect(input).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(s.permutation(20)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    const typed = Float64Array.from([1, 2, 3, 4]);
    expect(s.shuffleInPlace(typed)).toBe(typed);
    expect(Array.from(typed).sort()).toEqual([1, 2, 3, 4]);
    expect(new Set(Array.from({ length: 200 }, () => s.pick(['a', 'b', 'c']))).size).toBe(3);
    expect(() => s.pick([])).toThrow(/empty list/);
  });

  it('sample, subsetInPlace and sampleIndices draw distinct items and refuse too many', () => {
    const s = stream(4, 'sample');
    for (let i = 0; i < 200; i++) expect(new Set(s.sample([...'abcdefg'], 5)).size).toBe(5);
    expect(() => s.sample([1, 2], 3)).toThrow(/cannot draw 3 distinct items from 2/);
    const pool = Int32Array.from({ length: 10 }, (_, i) => i);
    const subset = Array.from(s.subsetInPlace(pool, 4));
    expect(new Set(subset).size).toBe(4);
    expect(Array.from(pool).sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    const idx = Array.from(s.sampleIndices(100, 30));
    expect(new Set(idx).size).toBe(30);
    expect(idx).toEqual(idx.slice().sort((a, b) => a - b));
    expect(() => s.sampleIndices(5, 6)).toThrow(/cannot draw 6 items from a pool of 5/);
  });

  it('weightedIndex follows the weights and never picks a zero weight', () => {
    const s = stream(5, 'w');
    const counts = [0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[s.weightedIndex([3, 0, 1])]! += 1;
    expect(counts[1]).toBe(0);
    expect(counts[0]! / 4000).toBeGreaterThan(0.72);
    expect(counts[0]! / 4000).toBeLessThan(0.78);
    expect(() => s.weightedIndex([0, 0])).toThrow(/sum to 0/);
  });
});
