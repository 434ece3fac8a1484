import { stream } from '@memgen/common';
import { describe, expect, it } from 'vitest';
import { foldMembers, pairFolds } from './pair-folds.js';

const folds7 = () => stream(7, 'test/folds');

describe('pairFolds', () => {
  it('balances fold sizes and is deterministic from the stream', () => {
    const folds = pairFolds(23, 5, folds7());
    const sizes = [0, 0, 0, 0, 0];
    for (const f of folds) sizes[f]!++;
    expect(sizes.sort()).toEqual([4, 4, 5, 5, 5]);
    expect(Array.from(pairFolds(23, 5, folds7()))).toEqual(Array.from(folds));
    expect(Array.from(pairFolds(23, 5, stream(8, 'test/folds')))).not.toEqual(Array.from(folds));
  });

  it('never puts the two members of a pair on different sides', () => {
    const pairs = 17;
    const foldOfPair = pairFolds(pairs, 4, stream(1, 'test/folds'));
    // Members interleaved as the probes lay them out: 2i = mem_i, 2i+1 = gen_i.
    const pairOfMember = Int32Array.from({ length: 2 * pairs }, (_, m) => m >> 1);
    const seenInTest = new Set<number>();
    for (let fold = 0; fold < 4; fold++) {
      const { train, test } = foldMembers(pairOfMember, foldOfPair, fold);
      const trainPairs = new Set(Array.from(train, (m) => pairOfMember[m]!));
      const testPairs = new Set(Array.from(test, (m) => pairOfMember[m]!));
      for (const p of testPairs) {
        expect(trainPairs.has(p)).toBe(false);
        seenInTest.add(p);
      }
      expect(train.length + test.length).toBe(2 * pairs);
      expect(test.length % 2).toBe(0); // whole pairs only
    }
    expect(seenInTest.size).toBe(pairs); // every pair is held out exactly once
  });

  it('rejects too few pairs or folds', () => {
    expect(() => pairFolds(3, 5, stream(0, 'test/folds'))).toThrow(/at least as many pairs as folds/);
    expect(() => pairFolds(10, 1, stream(0, 'test/folds'))).toThrow(/folds must be an integer ≥ 2/);
  });
});
