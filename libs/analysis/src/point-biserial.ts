/**
 * docs/method.md §5: point-biserial correlation of each coordinate with the label (mem = 1, gen = 0).
 *
 * With n1 mem and n0 gen members (n = n1 + n0), group means m1, m0 and total sum of squares
 * SS = Σ (x − x̄)² over all n members, Pearson's r with a 0/1 variable reduces to
 *   r = (m1 − m0) · sqrt(n1 · n0 / n) / sqrt(SS),
 * so sign(r) = sign(NMD). A constant coordinate (SS = 0) has no correlation; it gets r = 0 so that
 * it can never rank as "top" (the authors' code ranked NaN first).
 */
import type { Activations, SiteMatrix } from './activations.js';
import { addSquaredDeviations, type GroupSums, groupSums, meanDifferenceAt } from './coordinate-sums.js';

/** Per-coordinate pooled moments over mem and gen members together (float64). */
export interface PooledMoments extends GroupSums {
  /** Σ (x − x̄)² over all members, `[sites * width]`. */
  readonly totalSumSquares: Float64Array;
}

/** Two-pass pooled moments of mem ∪ gen (the two-pass form keeps constant coordinates exactly 0). */
export function pooledMoments(mem: Activations, gen: Activations): PooledMoments {
  const { memSums, genSums } = groupSums(mem, gen);
  const n = mem.members + gen.members;
  const pooledMean = new Float64Array(memSums.length);
  for (let c = 0; c < pooledMean.length; c++) pooledMean[c] = (memSums[c]! + genSums[c]!) / n;
  const totalSumSquares = new Float64Array(memSums.length);
  addSquaredDeviations(mem, pooledMean, totalSumSquares);
  addSquaredDeviations(gen, pooledMean, totalSumSquares);
  return { memSums, genSums, totalSumSquares };
}

/** r from a mean difference and a total sum of squares; 0 where the coordinate is constant. */
export function correlationFromMeanDifference(meanDiff: number, ss: number, n1: number, n0: number): number {
  if (!(ss > 0)) return 0;
  const r = (meanDiff * Math.sqrt((n1 * n0) / (n1 + n0))) / Math.sqrt(ss);
  // Rounding can push |r| a hair above 1 for perfectly separated coordinates.
  return Math.max(-1, Math.min(1, r));
}

/**
 * Point-biserial r `[sites, width]` of every coordinate with the label over all members
 * (mem = 1, gen = 0). Never NaN: constant coordinates get 0.
 * @param mem `[Nm, sites, width]`; @param gen `[Ng, sites, width]`
 */
export function pointBiserial(mem: Activations, gen: Activations): SiteMatrix {
  const moments = pooledMoments(mem, gen);
  const { totalSumSquares } = moments;
  const values = new Float64Array(totalSumSquares.length);
  for (let c = 0; c < values.length; c++) {
    const diff = meanDifferenceAt(moments, c, mem.members, gen.members);
    values[c] = correlationFromMeanDifference(diff, totalSumSquares[c]!, mem.members, gen.members);
  }
  return { values, sites: mem.sites, width: mem.width };
}

/**
 * Standard deviation `[sites, width]` of each coordinate over all mem and gen members together
 * (population divisor n). Lets steering express α in units of a coordinate's spread (docs/method.md §7).
 */
export function pooledStandardDeviation(mem: Activations, gen: Activations): SiteMatrix {
  const { totalSumSquares } = pooledMoments(mem, gen);
  const n = mem.members + gen.members;
  const values = totalSumSquares.map((ss) => Math.sqrt(ss / n));
  return { values, sites: mem.sites, width: mem.width };
}
