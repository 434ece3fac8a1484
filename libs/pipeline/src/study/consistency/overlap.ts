/**
 * Consistency measures (docs/method.md §8) between two sets of statistics over the same coordinates (two
 * halves of one run's pairs, or two runs of the same model size): Dice overlap of the top-N |r|
 * masks against random masks of the same sizes, and Spearman's ρ of the NMD vectors.
 */
import {
  compareDiceLayerMatched,
  compareDiceWithRandom,
  type LayerMatchedDice,
  type SiteMatrix,
  spearman,
  topNMask,
} from '@memgen/analysis';
import { spearmanPermutationNull } from './rank-null.js';

export interface MaskOverlap {
  topFraction: number;
  sizeA: number;
  sizeB: number;
  /** Dice of the two masks; null when both are empty (every r is 0). */
  dice: number | null;
  /** E[Dice] of random masks of the same sizes. */
  expectedRandom: number | null;
  /** 95th percentile of random-mask Dice. */
  random95: number | null;
  /** (1 + #{random ≥ observed}) / (draws + 1). */
  pValue: number | null;
  /** The same against random masks with each mask's per-site counts kept (null when both are empty). */
  layerMatched: LayerMatchedDice | null;
}

export interface SelectionComparison {
  /** Spearman ρ of the NMD values over the eligible coordinates. */
  spearmanNmd: number;
  /** 95th percentile of ρ with B's neurons in random order (the random-ranking baseline). */
  spearmanNull95: number;
  overlaps: MaskOverlap[];
}

/** The values of `m` at sites not in `exclude`, site-major. */
export function eligibleValues(m: SiteMatrix, exclude: readonly number[]): Float64Array {
  const out: number[] = [];
  for (let s = 0; s < m.sites; s++) {
    if (exclude.includes(s)) continue;
    for (let j = 0; j < m.width; j++) out.push(m.values[s * m.width + j]!);
  }
  return Float64Array.from(out);
}

/**
 * Compares statistics A and B (`[sites, width]` each, same shape).
 * @throws Error when the shapes differ.
 */
export function compareSelections(
  a: { nmd: SiteMatrix; r: SiteMatrix },
  b: { nmd: SiteMatrix; r: SiteMatrix },
  options: {
    exclude: readonly number[];
    topFractions: readonly number[];
    /** Random mask pairs of the Dice baseline. */
    draws: number;
    /** Random reorderings of the Spearman baseline. */
    nullDraws: number;
    seed: number;
  },
): SelectionComparison {
  if (a.r.sites !== b.r.sites || a.r.width !== b.r.width) {
    throw new Error(
      `cannot compare statistics of shapes [${a.r.sites}, ${a.r.width}] and [${b.r.sites}, ${b.r.width}]`,
    );
  }
  const universe = (a.r.sites - options.exclude.length) * a.r.width;
  const overlaps = options.topFractions.map((topFraction, k): MaskOverlap => {
    const maskA = topNMask(a.r, topFraction, { excludeSites: options.exclude });
    const maskB = topNMask(b.r, topFraction, { excludeSites: options.exclude });
    const sizeA = maskA.coordinates.length;
    const sizeB = maskB.coordinates.length;
    if (sizeA + sizeB === 0) {
      return {
        topFraction,
        sizeA,
        sizeB,
        dice: null,
        expectedRandom: null,
        random95: null,
        pValue: null,
        layerMatched: null,
      };
    }
    const draws = { draws: options.draws, seed: options.seed + k };
    const c = compareDiceWithRandom(maskA.mask, maskB.mask, { universe, ...draws });
    const layerMatched = compareDiceLayerMatched(maskA.mask, maskB.mask, a.r.width, draws);
    return { topFraction, sizeA, sizeB, ...c, layerMatched };
  });
  const nmdA = eligibleValues(a.nmd, options.exclude);
  const nmdB = eligibleValues(b.nmd, options.exclude);
  return {
    spearmanNmd: spearman(nmdA, nmdB),
    spearmanNull95: spearmanPermutationNull(nmdA, nmdB, options.nullDraws, options.seed).q95,
    overlaps,
  };
}
