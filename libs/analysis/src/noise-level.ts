/**
 * docs/method.md §5 "noise level": is the largest |r| more than label noise would give?
 *
 * Null hypothesis: within each pair, which member is "mem" carries no information. Under it, swapping
 * the two members of any subset of pairs is as likely as the observed labelling. Each permutation
 * swaps every pair with probability 1/2 (drawn from the caller's stream) and recomputes max |r| over all coordinates.
 *
 * Why it is cheap: the pooled values of a coordinate do not change when labels move, so the total sum
 * of squares SS is fixed; only the mean difference changes. With d_i = mem_i − gen_i and ε_i = −1 for
 * swapped pairs, NMD' = (1/N) Σ ε_i d_i = (Σ d_i − 2 Σ_{swapped} d_i) / N and
 * r' = NMD' · sqrt(N / 2) / sqrt(SS) (point-biserial with n1 = n0 = N).
 */
import type { Stream } from '@memgen/common';
import { type Activations, assertPaired, excludedSiteFlags } from './activations.js';
import { quantile } from './descriptive-stats.js';
import { pooledMoments } from './point-biserial.js';

/** Options of the permutation test; defaults in brackets. */
export interface NoiseLevelOptions {
  /**
   * Number of label permutations B [200]: p-values resolve to 1/(B+1) ≈ 0.005, enough for the 0.05
   * call. Cost ≈ B · N/2 · sites · width multiply-adds (≈ 2.5 ms per 10⁷ on one core).
   */
  readonly permutations?: number;
  /** Sites left out of max |r| and of the count, e.g. `[0]` for the embedding row [none]. */
  readonly excludeSites?: readonly number[];
  /** Quantile of the null max |r| used as the per-coordinate threshold [0.95]. */
  readonly thresholdQuantile?: number;
}

/** Result of the permutation test. */
export interface NoiseLevelResult {
  /** max |r| over eligible coordinates with the true labels. */
  readonly observedMaxAbsR: number;
  /** max |r| under each of the B permutations (the null distribution), in draw order. */
  readonly nullMaxAbsR: Float64Array;
  /** (1 + #{null ≥ observed}) / (B + 1): never 0, exact-size permutation p-value. */
  readonly pValue: number;
  /** The `thresholdQuantile` quantile of the null max |r| (type-7 interpolation). */
  readonly threshold: number;
  /** Eligible coordinates whose observed |r| exceeds `threshold`. */
  readonly countAboveThreshold: number;
  /** pValue ≥ 0.05: the report then says "at noise level". */
  readonly atNoiseLevel: boolean;
}

/** Precomputed pieces shared by all permutations. */
export interface PermutationContext {
  readonly mem: Activations;
  readonly gen: Activations;
  /** Σ_i (mem_i − gen_i) per coordinate. */
  readonly totalDiff: Float64Array;
  /** |r| = |Σ ε_i d_i| · scale; 0 for constant coordinates. */
  readonly scale: Float64Array;
  /** 1 for coordinates that count (site not excluded). */
  readonly eligible: Uint8Array;
}

/** Builds the context for `mem`, `gen` `[N, sites, width]` (row i of each = pair i). */
export function permutationContext(
  mem: Activations,
  gen: Activations,
  excludeSites?: readonly number[],
): PermutationContext {
  const n = assertPaired(mem, gen);
  const { memSums, genSums, totalSumSquares } = pooledMoments(mem, gen);
  const size = memSums.length;
  const totalDiff = new Float64Array(size);
  const scale = new Float64Array(size);
  const factor = Math.sqrt(n / 2) / n;
  for (let c = 0; c < size; c++) {
    totalDiff[c] = memSums[c]! - genSums[c]!;
    const ss = totalSumSquares[c]!;
    scale[c] = ss > 0 ? factor / Math.sqrt(ss) : 0;
  }
  const excluded = excludedSiteFlags(mem.sites, excludeSites);
  const eligible = new Uint8Array(size);
  for (let c = 0; c < size; c++) eligible[c] = excluded[Math.floor(c / mem.width)] === 0 ? 1 : 0;
  return { mem, gen, totalDiff, scale, eligible };
}

/**
 * max |r| over eligible coordinates when the pairs flagged in `swapped` (`[N]`, 1 = swap) have their
 * labels exchanged. Exposed so tests can check it against `pointBiserial` on swapped arrays.
 */
export function maxAbsRForSwaps(ctx: PermutationContext, swapped: Uint8Array): number {
  const { mem, gen, scale, eligible } = ctx;
  const stride = mem.sites * mem.width;
  if (swapped.length !== mem.members) {
    throw new Error(`swapped has ${swapped.length} flags, expected one per pair (${mem.members})`);
  }
  const acc = Float64Array.from(ctx.totalDiff);
  for (let i = 0; i < swapped.length; i++) {
    if (swapped[i] === 0) continue;
    const base = i * stride;
    for (let c = 0; c < stride; c++) acc[c]! -= 2 * (mem.data[base + c]! - gen.data[base + c]!);
  }
  let max = 0;
  for (let c = 0; c < stride; c++) {
    if (eligible[c] === 0) continue;
    const v = Math.abs(acc[c]!) * scale[c]!;
    if (v > max) max = v;
  }
  // Same clamp as pointBiserial: perfect separation may round a hair above 1.
  return Math.min(1, max);
}

/**
 * Label-permutation test of max |r| for paired activations `mem`, `gen` `[N, sites, width]`, the
 * swaps drawn from `stream` (which advances): deterministic for a given stream.
 */
export function permutationNoiseLevel(
  mem: Activations,
  gen: Activations,
  stream: Stream,
  options: NoiseLevelOptions = {},
): NoiseLevelResult {
  const permutations = options.permutations ?? 200;
  const q = options.thresholdQuantile ?? 0.95;
  if (!Number.isInteger(permutations) || permutations < 1) {
    throw new Error(`permutations must be a positive integer, got ${permutations}`);
  }
  const ctx = permutationContext(mem, gen, options.excludeSites);
  const n = mem.members;
  const observedMaxAbsR = maxAbsRForSwaps(ctx, new Uint8Array(n));
  const nullMaxAbsR = new Float64Array(permutations);
  const swapped = new Uint8Array(n);
  let atLeastObserved = 0;
  for (let b = 0; b < permutations; b++) {
    for (let i = 0; i < n; i++) swapped[i] = stream.bit() ? 1 : 0;
    const value = maxAbsRForSwaps(ctx, swapped);
    nullMaxAbsR[b] = value;
    // Relative slack: swapping every pair gives the observed |r| again, up to summation rounding.
    if (value >= observedMaxAbsR * (1 - 1e-12)) atLeastObserved++;
  }
  const pValue = (1 + atLeastObserved) / (permutations + 1);
  const threshold = quantile(nullMaxAbsR, q);
  let countAboveThreshold = 0;
  const stride = ctx.totalDiff.length;
  for (let c = 0; c < stride; c++) {
    if (ctx.eligible[c] === 1 && Math.abs(ctx.totalDiff[c]!) * ctx.scale[c]! > threshold)
      countAboveThreshold++;
  }
  return {
    observedMaxAbsR,
    nullMaxAbsR,
    pValue,
    threshold,
    countAboveThreshold,
    atNoiseLevel: pValue >= 0.05,
  };
}
