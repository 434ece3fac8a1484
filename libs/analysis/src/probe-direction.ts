/**
 * A probe's weights as a direction in activation space: the L2 logistic probe of docs/method.md §6 fitted on
 * every pair of one site (no folds: this is the direction, not an accuracy), mapped back from the
 * standardised features it was fitted on to raw activation units. A shift of the activation along
 * `weights` moves the probe's logit fastest toward "mem" per unit of L2 norm.
 */
import { type Activations, assertPaired } from './activations.js';
import { fitLogistic, type LogisticOptions } from './logistic-regression.js';
import { standardiseFold } from './probe-cv.js';
import { type Centring, siteFeatures } from './probes.js';

export interface ProbeDirection {
  /** ∂logit/∂x_j in raw activation units `[width]` (positive = toward mem); 0 for constant features. */
  readonly weights: Float64Array;
  /** The logit at the raw origin: logit(x) = weights·x + intercept (raw centring only). */
  readonly intercept: number;
  readonly converged: boolean;
}

/**
 * Fits the probe of `site` on all 2N members (mem = 1, gen = 0) and returns its raw-unit direction.
 * With within-pair centring the probe sees ±(mem_i − gen_i)/2, so its direction is the one along
 * which the two members of a pair differ.
 * @param mem `[N, sites, width]`, @param gen `[N, sites, width]`, row i of each = pair i
 */
export function probeDirection(
  mem: Activations,
  gen: Activations,
  site: number,
  options: LogisticOptions & { centring?: Centring } = {},
): ProbeDirection {
  const n = assertPaired(mem, gen);
  const d = mem.width;
  const x = siteFeatures(mem, gen, site, options.centring ?? 'none');
  const members = Int32Array.from({ length: 2 * n }, (_, k) => k);
  const y = Uint8Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? 1 : 0));
  const scaled = standardiseFold(x, d, members, new Int32Array(0));
  const model = fitLogistic(scaled.train, y, 2 * n, d, options);
  const weights = new Float64Array(d);
  let intercept = model.intercept;
  for (let j = 0; j < d; j++) {
    weights[j] = model.weights[j]! * scaled.inverseSd[j]!;
    intercept -= weights[j]! * scaled.mean[j]!;
  }
  return { weights, intercept, converged: model.converged };
}
