/**
 * docs/method.md §8 intra-task consistency: split the flipped pairs into two disjoint random halves and compute
 * NMD and r on each, so the caller can compare their top-N masks (Dice) and NMD (Spearman).
 */
import type { Stream } from '@memgen/common';
import { type Activations, assertPaired, type SiteMatrix, selectMembers } from './activations.js';
import { neuronMeanDifference } from './nmd.js';
import { pointBiserial } from './point-biserial.js';

/**
 * Two disjoint halves of `0..pairs-1`, each of ⌊pairs/2⌋ pairs sorted ascending (with an odd count,
 * one random pair is left out, so both halves have equal power), drawn from `stream` (which advances).
 */
export function splitHalfPairs(pairs: number, stream: Stream): [Int32Array, Int32Array] {
  if (!Number.isInteger(pairs) || pairs < 2)
    throw new Error(`split-half needs at least 2 pairs, got ${pairs}`);
  const order = stream.permutation(pairs);
  const half = Math.floor(pairs / 2);
  return [order.slice(0, half).sort(), order.slice(half, 2 * half).sort()];
}

/** Statistics of one half. */
export interface HalfStatistics {
  /** Pair indices of this half, into the original arrays. */
  readonly pairs: Int32Array;
  readonly nmd: SiteMatrix;
  readonly r: SiteMatrix;
}

/**
 * NMD and r on two disjoint random halves of the pairs of `mem`, `gen` `[N, sites, width]`, the
 * halves drawn from `stream` (which advances).
 */
export function splitHalfStatistics(
  mem: Activations,
  gen: Activations,
  stream: Stream,
): [HalfStatistics, HalfStatistics] {
  const n = assertPaired(mem, gen);
  const [a, b] = splitHalfPairs(n, stream);
  const stats = (pairs: Int32Array): HalfStatistics => {
    const m = selectMembers(mem, pairs);
    const g = selectMembers(gen, pairs);
    return { pairs, nmd: neuronMeanDifference(m, g), r: pointBiserial(m, g) };
  };
  return [stats(a), stats(b)];
}
