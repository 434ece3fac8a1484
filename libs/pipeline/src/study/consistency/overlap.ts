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
import type { Stream } from '@memgen/common';
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

/** Dice of the top `topFraction` |r| masks of A and B against their two random-mask baselines. */
function maskOverlap(
  a: SiteMatrix,
  b: SiteMatrix,
  topFraction: number,
  exclude: readonly number[],
  draws: number,
  stream: Stream,
): MaskOverlap {
  const maskA = topNMask(a, topFraction, { excludeSites: exclude });
  const maskB = topNMask(b, topFraction, { excludeSites: exclude });
  const sizeA = maskA.coordinates.length;
  const sizeB = maskB.coordinates.length;
  if (sizeA + sizeB === 0) {
    const none = { dice: null, expectedRandom: null, random95: null, pValue: null, layerMatched: null };
    return { topFraction, sizeA, sizeB, ...none };
  }
  const universe = (a.sites - exclude.length) * a.width;
  const c = compareDiceWithRandom(maskA.mask, maskB.mask, stream.derive('uniform'), { universe, draws });
  const layerMatched = compareDiceLayerMatched(
    maskA.mask,
    maskB.mask,
    a.width,
    stream.derive('layer-matched'),
    {
      draws,
    },
  );
  return { topFraction, sizeA, sizeB, ...c, layerMatched };
}

/**
 * Compares statistics A and B (`[sites, width]` each, same shape). The random baselines draw from
 * streams derived from `options.stream`, one per purpose: `fraction-<k>/uniform` and
 * `fraction-<k>/layer-matched` for the Dice of the k-th top fraction, `spearman-null` for ρ.
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
    /** Parent of the baselines' streams; it is not drawn from. */
    stream: Stream;
  },
): SelectionComparison {
  if (a.r.sites !== b.r.sites || a.r.width !== b.r.width) {
    throw new Error(
      `cannot compare statistics of shapes [${a.r.sites}, ${a.r.width}] and [${b.r.sites}, ${b.r.width}]`,
    );
  }
  const { exclude, draws, stream } = options;
  const overlaps = options.topFractions.map((topFraction, k) =>
    maskOverlap(a.r, b.r, topFraction, exclude, draws, stream.derive(`fraction-${k}`)),
  );
  const nmdA = eligibleValues(a.nmd, exclude);
  const nmdB = eligibleValues(b.nmd, exclude);
  const spearmanNull = spearmanPermutationNull(nmdA, nmdB, options.nullDraws, stream.derive('spearman-null'));
  return { spearmanNmd: spearman(nmdA, nmdB), spearmanNull95: spearmanNull.q95, overlaps };
}
