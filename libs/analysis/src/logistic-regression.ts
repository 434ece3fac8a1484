/**
 * L2-regularised binary logistic regression, fitted by truncated Newton (Newton–CG), float64.
 *
 * Objective (the C convention of liblinear / scikit-learn, intercept not penalised):
 *   f(w, b) = ½‖w‖² + C · Σ_i log(1 + exp(−s_i (x_i·w + b))),  s_i = +1 for y = 1, −1 for y = 0.
 * C = 1 / λ is the inverse regularisation strength: larger C = weaker penalty.
 *
 * Why Newton–CG: the Hessian I + C·XᵀDX is never formed (d×d would cost n·d² per iteration at
 * d = 1024). Each CG step needs one Hessian-vector product, computed row by row in a single pass
 * over X (x_i·v, then the scaled row added back while it is still in cache). The line search reuses
 * X·p, so trying a step length costs O(n). A diagonal preconditioner diag(H) is accumulated in the
 * same pass as the gradient. The solver's pieces are in newton-cg.ts.
 */
import {
  type CgWork,
  gradientNorm,
  gradientPass,
  linearScores,
  lineSearch,
  newtonDirection,
  origin,
  type Problem,
} from './newton-cg.js';

export { sigmoid } from './newton-cg.js';

/** Solver options; defaults in brackets. */
export interface LogisticOptions {
  /** Inverse regularisation strength C = 1/λ [1] (scikit-learn's default). */
  readonly C?: number;
  /** Stop when ‖∇f‖₂ ≤ tol · ‖∇f(0)‖₂ [1e-6]. */
  readonly tol?: number;
  /** Maximum Newton iterations [100]. */
  readonly maxIterations?: number;
  /** Maximum CG steps per Newton iteration [200]. */
  readonly maxCgSteps?: number;
}

/** A fitted model and how the fit ended. */
export interface LogisticModel {
  readonly weights: Float64Array;
  readonly intercept: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** ‖∇f‖₂ at the returned point. */
  readonly gradientNorm: number;
  /** f at the returned point. */
  readonly objective: number;
}

/**
 * Fits the model on row-major features `x` `[n, d]` and labels `y` `[n]` (0/1).
 * @throws on inconsistent sizes, labels other than 0/1, non-finite features or a bad option.
 */
export function fitLogistic(
  x: Float64Array,
  y: Uint8Array,
  n: number,
  d: number,
  options: LogisticOptions = {},
): LogisticModel {
  const { C, tol, maxIterations, maxCgSteps } = resolveOptions(options);
  checkData(x, y, n, d);
  const prob: Problem = { x, y, n, d, C };
  const pt = origin(prob);
  const p = new Float64Array(d);
  const work: CgWork = { r: new Float64Array(d), s: new Float64Array(d), q: new Float64Array(d) };
  const xp = new Float64Array(n);
  const zTrial = new Float64Array(n);

  gradientPass(prob, pt);
  const initialNorm = gradientNorm(pt);
  let gradNorm = initialNorm;
  let iterations = 0;
  let converged = gradNorm <= tol * initialNorm || initialNorm === 0;
  while (!converged && iterations < maxIterations) {
    iterations++;
    // Eisenstat–Walker style forcing: solve loosely far from the optimum, tightly near it.
    const eta = Math.min(0.5, Math.sqrt(gradNorm / initialNorm));
    const pb = newtonDirection(prob, pt, eta, maxCgSteps, p, work);
    const step = lineSearch(prob, pt, p, pb, xp, zTrial);
    if (!step) break; // no step improves f: at the optimum to rounding
    for (let j = 0; j < d; j++) pt.w[j]! += step.t * p[j]!;
    pt.b += step.t * pb;
    pt.z.set(zTrial);
    pt.objective = step.objective;
    gradientPass(prob, pt);
    gradNorm = gradientNorm(pt);
    converged = gradNorm <= tol * initialNorm;
  }
  const { w: weights, b: intercept, objective } = pt;
  return { weights, intercept, iterations, converged, gradientNorm: gradNorm, objective };
}

function resolveOptions(options: LogisticOptions) {
  const C = options.C ?? 1;
  const tol = options.tol ?? 1e-6;
  if (!(C > 0 && Number.isFinite(C))) throw new Error(`C must be a positive finite number, got ${C}`);
  if (!(tol > 0)) throw new Error(`tol must be positive, got ${tol}`);
  return { C, tol, maxIterations: options.maxIterations ?? 100, maxCgSteps: options.maxCgSteps ?? 200 };
}

function checkData(x: Float64Array, y: Uint8Array, n: number, d: number): void {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(d) || d < 1) {
    throw new Error(`n and d must be positive integers, got n=${n}, d=${d}`);
  }
  if (x.length !== n * d) throw new Error(`x has ${x.length} values, expected n*d = ${n}*${d}`);
  if (y.length !== n) throw new Error(`y has ${y.length} labels, expected n = ${n}`);
  for (let i = 0; i < n; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new Error(`y[${i}] = ${y[i]}; labels must be 0 or 1`);
  }
  for (let k = 0; k < x.length; k++) {
    if (!Number.isFinite(x[k]!)) throw new Error(`x has a non-finite value at row ${Math.floor(k / d)}`);
  }
}

/** Predicted labels for row-major `x` `[n, d]`: 1 when x·w + b > 0 (ties go to 0). */
export function predictLogistic(model: LogisticModel, x: Float64Array, n: number, d: number): Uint8Array {
  if (model.weights.length !== d) {
    throw new Error(`model has ${model.weights.length} weights but the features have d = ${d}`);
  }
  if (x.length !== n * d) throw new Error(`x has ${x.length} values, expected n*d = ${n}*${d}`);
  const z = new Float64Array(n);
  linearScores(x, n, d, model.weights, model.intercept, z);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) labels[i] = z[i]! > 0 ? 1 : 0;
  return labels;
}
