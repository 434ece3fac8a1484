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
 * same pass as the gradient.
 */

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

/** log(1 + e^t) without overflow. */
function softplus(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

/** The logistic function 1 / (1 + e^−z) without overflow. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j]! * b[j]!;
  return s;
}

/** z = X·w + b for row-major X `[n, d]`. */
function linearScores(
  x: Float64Array,
  n: number,
  d: number,
  w: Float64Array,
  b: number,
  z: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    const base = i * d;
    let s = b;
    for (let j = 0; j < d; j++) s += x[base + j]! * w[j]!;
    z[i] = s;
  }
}

function objectiveAt(z: Float64Array, y: Uint8Array, wNormSq: number, C: number): number {
  let loss = 0;
  for (let i = 0; i < z.length; i++) loss += softplus(y[i] === 1 ? -z[i]! : z[i]!);
  return 0.5 * wNormSq + C * loss;
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
  const C = options.C ?? 1;
  const tol = options.tol ?? 1e-6;
  const maxIterations = options.maxIterations ?? 100;
  const maxCgSteps = options.maxCgSteps ?? 200;
  if (!(C > 0 && Number.isFinite(C))) throw new Error(`C must be a positive finite number, got ${C}`);
  if (!(tol > 0)) throw new Error(`tol must be positive, got ${tol}`);
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

  const w = new Float64Array(d);
  let b = 0;
  const z = new Float64Array(n); // scores at the current point (w = 0, b = 0: all zero)
  const coef = new Float64Array(n); // C · σ(z)(1 − σ(z)), the Hessian's sample weights
  const grad = new Float64Array(d);
  const precond = new Float64Array(d);
  const p = new Float64Array(d);
  const r = new Float64Array(d);
  const s = new Float64Array(d);
  const q = new Float64Array(d);
  const xp = new Float64Array(n);
  const zTrial = new Float64Array(n);
  let hbDiag = 1; // the preconditioner's intercept entry, C·Σ σ(1 − σ)

  /** Gradient, Hessian weights and preconditioner at (w, b), in one pass over X. Returns ∂f/∂b. */
  const gradientPass = (): number => {
    grad.set(w);
    precond.fill(1);
    let gb = 0;
    let hb = 0;
    for (let i = 0; i < n; i++) {
      const prob = sigmoid(z[i]!);
      const residual = C * (prob - y[i]!);
      const weight = C * prob * (1 - prob);
      coef[i] = weight;
      gb += residual;
      hb += weight;
      const base = i * d;
      for (let j = 0; j < d; j++) {
        const v = x[base + j]!;
        grad[j]! += residual * v;
        precond[j]! += weight * v * v;
      }
    }
    hbDiag = hb > 0 ? hb : 1;
    return gb;
  };

  /** out = H·(v, vb) for the current Hessian weights; returns the intercept component. */
  const hessianTimes = (v: Float64Array, vb: number, out: Float64Array): number => {
    out.set(v);
    let outB = 0;
    for (let i = 0; i < n; i++) {
      const row = x.subarray(i * d, (i + 1) * d);
      // Four partial sums break the add dependency chain (~20 % faster on V8 at d = 1024).
      let u0 = 0;
      let u1 = 0;
      let u2 = 0;
      let u3 = 0;
      let j = 0;
      for (; j + 3 < d; j += 4) {
        u0 += row[j]! * v[j]!;
        u1 += row[j + 1]! * v[j + 1]!;
        u2 += row[j + 2]! * v[j + 2]!;
        u3 += row[j + 3]! * v[j + 3]!;
      }
      for (; j < d; j++) u0 += row[j]! * v[j]!;
      const u = (vb + u0 + u1 + u2 + u3) * coef[i]!;
      outB += u;
      for (j = 0; j < d; j++) out[j]! += u * row[j]!;
    }
    return outB;
  };

  let gb = gradientPass();
  const initialNorm = Math.sqrt(dot(grad, grad) + gb * gb);
  let gradNorm = initialNorm;
  let objective = objectiveAt(z, y, 0, C);
  let iterations = 0;
  let converged = gradNorm <= tol * initialNorm || initialNorm === 0;

  while (!converged && iterations < maxIterations) {
    iterations++;
    // Solve H·(p, pb) = −g approximately by preconditioned CG, to relative residual eta
    // (Eisenstat–Walker style forcing: loose far from the optimum, tight near it).
    const eta = Math.min(0.5, Math.sqrt(gradNorm / initialNorm));
    p.fill(0);
    let pb = 0;
    for (let j = 0; j < d; j++) r[j] = -grad[j]!;
    let rb = -gb;
    for (let j = 0; j < d; j++) s[j] = r[j]! / precond[j]!;
    let sb = rb / hbDiag;
    let rho = dot(r, s) + rb * sb;
    for (let step = 0; step < maxCgSteps; step++) {
      const qb = hessianTimes(s, sb, q);
      const curvature = dot(s, q) + sb * qb;
      if (!(curvature > 0)) break; // cannot happen for this convex f; guards rounding
      const alpha = rho / curvature;
      for (let j = 0; j < d; j++) {
        p[j]! += alpha * s[j]!;
        r[j]! -= alpha * q[j]!;
      }
      pb += alpha * sb;
      rb -= alpha * qb;
      if (Math.sqrt(dot(r, r) + rb * rb) <= eta * gradNorm) break;
      let rhoNext = 0;
      for (let j = 0; j < d; j++) rhoNext += (r[j]! * r[j]!) / precond[j]!;
      rhoNext += (rb * rb) / hbDiag;
      const beta = rhoNext / rho;
      rho = rhoNext;
      for (let j = 0; j < d; j++) s[j] = r[j]! / precond[j]! + beta * s[j]!;
      sb = rb / hbDiag + beta * sb;
    }

    // Backtracking (Armijo) line search along (p, pb); scores move linearly: z + t·(X·p + pb).
    linearScores(x, n, d, p, pb, xp);
    const slope = dot(grad, p) + gb * pb;
    if (!(slope < 0)) break; // no descent direction left: at the optimum to rounding
    const wNormSq = dot(w, w);
    const wp = dot(w, p);
    const pp = dot(p, p);
    let t = 1;
    let accepted = false;
    let trialObjective = objective;
    for (let tries = 0; tries < 40; tries++) {
      for (let i = 0; i < n; i++) zTrial[i] = z[i]! + t * xp[i]!;
      trialObjective = objectiveAt(zTrial, y, wNormSq + 2 * t * wp + t * t * pp, C);
      // Near the optimum the predicted decrease falls below the rounding of f; the Newton step is
      // then accepted when f did not grow beyond that rounding, instead of halving it to nothing.
      const roundingFloor = 1e-13 * Math.abs(objective);
      const armijo = trialObjective <= objective + 1e-4 * t * slope;
      if (armijo || (-t * slope <= roundingFloor && trialObjective <= objective + roundingFloor)) {
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    if (!accepted) break; // step too small to improve f: rounding floor reached
    for (let j = 0; j < d; j++) w[j]! += t * p[j]!;
    b += t * pb;
    z.set(zTrial);
    objective = trialObjective;
    gb = gradientPass();
    gradNorm = Math.sqrt(dot(grad, grad) + gb * gb);
    converged = gradNorm <= tol * initialNorm;
  }

  return { weights: w, intercept: b, iterations, converged, gradientNorm: gradNorm, objective };
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
