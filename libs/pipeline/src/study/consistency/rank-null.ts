/**
 * The control for "two NMD vectors agree" (docs/method.md §8), the Spearman counterpart of random masks for
 * Dice: ρ between the first vector and the second with its neurons in random order. It says how much
 * agreement unrelated neuron rankings give (about ±1.645/√(M−1) at 95 % for M coordinates).
 */
import { averageRanks, pearson, quantile } from '@memgen/analysis';
import type { Stream } from '@memgen/common';

export interface RankNull {
  /** ρ under each random reordering. */
  values: number[];
  /** 95th percentile of ρ under the null. */
  q95: number;
}

/**
 * Spearman's ρ of `a` with `b` reordered at random, `draws` times, the orders drawn from `stream`
 * (which advances).
 * @throws Error when the lengths differ, fewer than 3 values, or draws < 1.
 */
export function spearmanPermutationNull(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  draws: number,
  stream: Stream,
): RankNull {
  if (a.length !== b.length)
    throw new Error(`spearmanPermutationNull: lengths differ (${a.length} vs ${b.length})`);
  if (a.length < 3) throw new Error(`spearmanPermutationNull needs at least 3 values, got ${a.length}`);
  if (!Number.isInteger(draws) || draws < 1)
    throw new Error(`draws must be a positive integer, got ${draws}`);
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const values = Array.from({ length: draws }, () =>
    pearson(ra, stream.shuffleInPlace(Float64Array.from(rb))),
  );
  return { values, q95: quantile(values, 0.95) };
}
