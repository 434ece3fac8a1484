/**
 * docs/method.md §6: per-site probes predicting mem (1) vs gen (0) from the recorded vectors.
 *
 * Defaults (all options): 5 folds split by pair; L2 logistic regression with C = 1 (= 1/λ, the
 * scikit-learn default), intercept unpenalised, features standardised per training fold.
 * Variants: raw vectors, within-pair-centred vectors, shuffled-label baseline, training-size
 * subsampling (`probeLearningCurve`) and an input-only baseline on any features
 * (`probeFeatureMatrix`).
 *
 * Randomness: folds, label shuffling and pair subsampling draw from the streams the caller's one
 * stream derives ('folds', 'labels', 'subsample'). A derived stream depends on its name only, not on
 * what was drawn before, so a shuffled-label run uses the very same folds as its unshuffled twin.
 */
import type { Stream } from '@memgen/common';
import {
  type Activations,
  assertPaired,
  makeActivations,
  type NumericArray,
  selectMembers,
} from './activations.js';
import type { LogisticOptions } from './logistic-regression.js';
import { pairFolds } from './pair-folds.js';
import { crossValidateProbe, type ProbeAccuracy } from './probe-cv.js';

/** How member vectors are transformed before probing. */
export type Centring = 'none' | 'within-pair';

/** Probe options; defaults in brackets. */
export interface ProbeOptions extends LogisticOptions {
  /** Number of folds k, split by pair [5]. */
  readonly folds?: number;
  /**
   * 'none' = raw vectors; 'within-pair' = each member minus its pair's mean, which removes what the
   * two members share (the story) and keeps the behaviour signal ['none'].
   */
  readonly centring?: Centring;
  /** Shuffled-label baseline: swap the two labels of each pair with probability 1/2 [false]. */
  readonly shuffleLabels?: boolean;
  /** Sites to probe [all]. */
  readonly sites?: readonly number[];
}

/** Held-out accuracy of the probe at one site. */
export interface SiteProbeResult extends ProbeAccuracy {
  readonly site: number;
}

/**
 * Features of `site` for 2N members as `[2N, width]` float64: row 2i = mem_i, row 2i+1 = gen_i.
 * Within-pair centring gives ±(mem_i − gen_i)/2.
 */
export function siteFeatures(
  mem: Activations,
  gen: Activations,
  site: number,
  centring: Centring,
): Float64Array {
  const n = assertPaired(mem, gen);
  if (!Number.isInteger(site) || site < 0 || site >= mem.sites) {
    throw new Error(`site ${site} is outside 0..${mem.sites - 1}`);
  }
  const { width, sites } = mem;
  const x = new Float64Array(2 * n * width);
  for (let i = 0; i < n; i++) {
    const from = (i * sites + site) * width;
    const memRow = 2 * i * width;
    const genRow = memRow + width;
    for (let j = 0; j < width; j++) {
      const a = mem.data[from + j]!;
      const b = gen.data[from + j]!;
      if (centring === 'within-pair') {
        const half = (a - b) / 2;
        x[memRow + j] = half;
        x[genRow + j] = -half;
      } else {
        x[memRow + j] = a;
        x[genRow + j] = b;
      }
    }
  }
  return x;
}

/** Labels `[2N]` (1, 0 per pair) and pair index per member, optionally swapped within pairs. */
function pairedLabels(
  n: number,
  shuffle: boolean,
  stream: Stream,
): { y: Uint8Array; pairOfMember: Int32Array } {
  const y = new Uint8Array(2 * n);
  const pairOfMember = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const swap = shuffle && stream.bit();
    y[2 * i] = swap ? 0 : 1;
    y[2 * i + 1] = swap ? 1 : 0;
    pairOfMember[2 * i] = i;
    pairOfMember[2 * i + 1] = i;
  }
  return { y, pairOfMember };
}

/**
 * Cross-validated probe accuracy at every requested site of paired activations.
 * @param mem `[N, sites, width]`, @param gen `[N, sites, width]`, row i of each = pair i
 * @param stream derives the folds ('folds') and the label shuffle ('labels'); it is not drawn from
 */
export function probeSites(
  mem: Activations,
  gen: Activations,
  stream: Stream,
  options: ProbeOptions = {},
): SiteProbeResult[] {
  const n = assertPaired(mem, gen);
  const folds = options.folds ?? 5;
  const centring = options.centring ?? 'none';
  if (centring !== 'none' && centring !== 'within-pair') throw new Error(`unknown centring '${centring}'`);
  const sites = options.sites ?? Array.from({ length: mem.sites }, (_, s) => s);
  const foldOfPair = pairFolds(n, folds, stream.derive('folds'));
  const { y, pairOfMember } = pairedLabels(n, options.shuffleLabels ?? false, stream.derive('labels'));
  return sites.map((site) => {
    const x = siteFeatures(mem, gen, site, centring);
    return { site, ...crossValidateProbe({ x, d: mem.width, y, pairOfMember }, foldOfPair, folds, options) };
  });
}

/** Probe results for one training-set size. */
export interface LearningCurvePoint {
  /** Pairs used (both train and held-out folds come from them). */
  readonly pairs: number;
  readonly sites: SiteProbeResult[];
}

/**
 * Probe accuracy as the number of pairs grows: one random order of the pairs, and size N uses its
 * first N pairs, so smaller sets are nested in larger ones.
 * @param pairCounts the Ns, each in `folds..N`
 * @param stream derives the order ('subsample') and, as in {@link probeSites}, folds and labels
 */
export function probeLearningCurve(
  mem: Activations,
  gen: Activations,
  pairCounts: readonly number[],
  stream: Stream,
  options: ProbeOptions = {},
): LearningCurvePoint[] {
  const total = assertPaired(mem, gen);
  const order = stream.derive('subsample').permutation(total);
  return pairCounts.map((count) => {
    if (!Number.isInteger(count) || count < 1 || count > total) {
      throw new Error(`pair count ${count} must be an integer in 1..${total}`);
    }
    const chosen = order.slice(0, count).sort();
    return {
      pairs: count,
      sites: probeSites(selectMembers(mem, chosen), selectMembers(gen, chosen), stream, options),
    };
  });
}

/** A feature matrix `[rows, cols]`, row-major. */
export interface FeatureMatrix {
  readonly data: NumericArray;
  readonly rows: number;
  readonly cols: number;
}

/**
 * Input-only baseline: the same probe (same folds, standardisation, solver) on features the caller
 * builds from the inputs alone, e.g. a bag of prompt tokens. Row i of each matrix = pair i.
 * @param memFeatures `[N, cols]` for the mem members; @param genFeatures `[N, cols]` for the gen ones
 * @param stream as in {@link probeSites}: the same stream gives the same folds
 */
export function probeFeatureMatrix(
  memFeatures: FeatureMatrix,
  genFeatures: FeatureMatrix,
  stream: Stream,
  options: Omit<ProbeOptions, 'sites'> = {},
): ProbeAccuracy {
  const mem = makeActivations(memFeatures.data, memFeatures.rows, 1, memFeatures.cols);
  const gen = makeActivations(genFeatures.data, genFeatures.rows, 1, genFeatures.cols);
  const [result] = probeSites(mem, gen, stream, { ...options, sites: [0] });
  const { site: _site, ...accuracy } = result!;
  return accuracy;
}
