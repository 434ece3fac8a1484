/**
 * docs/method.md §8: overlap of two top-N coordinate masks (Dice), against the overlap random masks of the
 * same sizes would have.
 */
import type { Stream } from '@memgen/common';
import { quantile } from './descriptive-stats.js';

function countSelected(mask: Uint8Array): number {
  let k = 0;
  for (const v of mask) if (v !== 0) k++;
  return k;
}

/**
 * Dice = 2 |A ∩ B| / (|A| + |B|) of two 0/1 masks `[sites * width]` of equal length.
 * @throws if the lengths differ or both masks are empty (Dice is undefined).
 */
export function dice(maskA: Uint8Array, maskB: Uint8Array): number {
  if (maskA.length !== maskB.length) {
    throw new Error(`dice: masks have different lengths (${maskA.length} vs ${maskB.length})`);
  }
  let both = 0;
  let sizeA = 0;
  let sizeB = 0;
  for (let c = 0; c < maskA.length; c++) {
    const a = maskA[c] !== 0;
    const b = maskB[c] !== 0;
    if (a) sizeA++;
    if (b) sizeB++;
    if (a && b) both++;
  }
  if (sizeA + sizeB === 0) throw new Error('dice: both masks are empty');
  return (2 * both) / (sizeA + sizeB);
}

function assertSizes(k1: number, k2: number, universe: number): void {
  if (!Number.isInteger(universe) || universe < 1)
    throw new Error(`universe must be a positive integer, got ${universe}`);
  for (const [k, what] of [
    [k1, 'k1'],
    [k2, 'k2'],
  ] as const) {
    if (!Number.isInteger(k) || k < 0 || k > universe)
      throw new Error(`${what} = ${k} must be an integer in 0..${universe}`);
  }
  if (k1 + k2 === 0) throw new Error('Dice of two empty masks is undefined');
}

/**
 * Expected Dice of two independent uniform random masks of sizes k1, k2 out of `universe`
 * coordinates: E|A ∩ B| = k1·k2 / M (hypergeometric mean), so E[Dice] = 2·k1·k2 / (M·(k1 + k2)).
 */
export function expectedRandomDice(k1: number, k2: number, universe: number): number {
  assertSizes(k1, k2, universe);
  return (2 * k1 * k2) / (universe * (k1 + k2));
}

/** `options.draws`, 1000 by default. @throws Error unless it is a positive integer */
function drawCount(options: { draws?: number }): number {
  const draws = options.draws ?? 1000;
  if (!Number.isInteger(draws) || draws < 1)
    throw new Error(`draws must be a positive integer, got ${draws}`);
  return draws;
}

/**
 * Dice of `draws` pairs of independent uniform random masks of sizes k1, k2 out of `universe`, drawn
 * from `stream` (which advances).
 */
export function randomDiceDistribution(
  k1: number,
  k2: number,
  universe: number,
  stream: Stream,
  options: { draws?: number } = {},
): Float64Array {
  assertSizes(k1, k2, universe);
  const draws = drawCount(options);
  const pool = Int32Array.from({ length: universe }, (_, i) => i);
  const inA = new Uint8Array(universe);
  const out = new Float64Array(draws);
  for (let t = 0; t < draws; t++) {
    const a = stream.subsetInPlace(pool, k1).slice();
    for (const i of a) inA[i] = 1;
    let both = 0;
    for (const i of stream.subsetInPlace(pool, k2)) both += inA[i]!;
    for (const i of a) inA[i] = 0;
    out[t] = (2 * both) / (k1 + k2);
  }
  return out;
}

/** (1 + #{random ≥ observed}) / (draws + 1): the permutation p-value of an observed Dice. */
function exceedanceP(random: Float64Array, observed: number): number {
  let atLeast = 0;
  for (const v of random) if (v >= observed) atLeast++;
  return (1 + atLeast) / (random.length + 1);
}

/** Observed Dice of two masks with its random-mask baseline. */
export interface DiceComparison {
  readonly dice: number;
  /** Closed-form expectation for random masks of the same sizes. */
  readonly expectedRandom: number;
  /** 95th percentile of the random-mask Dice distribution. */
  readonly random95: number;
  /** (1 + #{random ≥ observed}) / (draws + 1). */
  readonly pValue: number;
}

/**
 * Dice of `maskA`, `maskB` `[sites * width]` against random masks of the same sizes, drawn from
 * `stream` (which advances).
 * @param options.universe coordinates the masks were chosen from [mask length]; pass the eligible
 *   count when sites were excluded from the ranking
 */
export function compareDiceWithRandom(
  maskA: Uint8Array,
  maskB: Uint8Array,
  stream: Stream,
  options: { universe?: number; draws?: number } = {},
): DiceComparison {
  const observed = dice(maskA, maskB);
  const universe = options.universe ?? maskA.length;
  const k1 = countSelected(maskA);
  const k2 = countSelected(maskB);
  const random = randomDiceDistribution(k1, k2, universe, stream, options);
  return {
    dice: observed,
    expectedRandom: expectedRandomDice(k1, k2, universe),
    random95: quantile(random, 0.95),
    pValue: exceedanceP(random, observed),
  };
}

/** How many coordinates of `mask` `[sites * width]` each site holds. */
function perSiteCounts(mask: Uint8Array, width: number): number[] {
  if (!Number.isInteger(width) || width < 1 || mask.length % width !== 0)
    throw new Error(`width ${width} does not divide the mask length ${mask.length}`);
  const counts = new Array<number>(mask.length / width).fill(0);
  for (let c = 0; c < mask.length; c++) if (mask[c] !== 0) counts[Math.floor(c / width)]!++;
  return counts;
}

/** Observed Dice's place among random masks with each site's counts kept (layer-matched). */
export interface LayerMatchedDice {
  /** E[Dice] of the layer-matched random masks: 2 Σ_s a_s·b_s / width / (|A| + |B|). */
  readonly expected: number;
  /** 95th percentile of their Dice distribution. */
  readonly random95: number;
  /** (1 + #{random ≥ observed}) / (draws + 1). */
  readonly pValue: number;
}

/**
 * Dice of `maskA`, `maskB` `[sites * width]` against random masks that keep how many coordinates
 * each mask has in every site, drawn uniformly within the site. Two masks concentrated in the same
 * layers overlap beyond uniform random masks for that reason alone; this baseline asks whether they
 * share coordinates beyond where in the model they sit. The random masks come from `stream` (which
 * advances).
 */
export function compareDiceLayerMatched(
  maskA: Uint8Array,
  maskB: Uint8Array,
  width: number,
  stream: Stream,
  options: { draws?: number } = {},
): LayerMatchedDice {
  const observed = dice(maskA, maskB);
  const a = perSiteCounts(maskA, width);
  const b = perSiteCounts(maskB, width);
  const total = a.reduce((x, y) => x + y, 0) + b.reduce((x, y) => x + y, 0);
  const draws = drawCount(options);
  const pool = Int32Array.from({ length: width }, (_, i) => i);
  const inA = new Uint8Array(width);
  const random = new Float64Array(draws);
  for (let t = 0; t < draws; t++) {
    let both = 0;
    a.forEach((ka, s) => {
      const kb = b[s]!;
      if (ka === 0 || kb === 0) return;
      const drawnA = stream.subsetInPlace(pool, ka).slice();
      for (const i of drawnA) inA[i] = 1;
      for (const i of stream.subsetInPlace(pool, kb)) both += inA[i]!;
      for (const i of drawnA) inA[i] = 0;
    });
    random[t] = (2 * both) / total;
  }
  const sharedExpected = a.reduce((sum, ka, s) => sum + (ka * b[s]!) / width, 0);
  return {
    expected: (2 * sharedExpected) / total,
    random95: quantile(random, 0.95),
    pValue: exceedanceP(random, observed),
  };
}
