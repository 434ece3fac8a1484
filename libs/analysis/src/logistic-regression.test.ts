import { stream } from '@memgen/common';
import { describe, expect, it } from 'vitest';
import { fitLogistic, predictLogistic, sigmoid } from './logistic-regression.js';
import { gaussian } from './test-fixtures.js';

/**
 * 1-D case with a known optimum: x = +1 with label 1 (a times) and label 0 (b times); x = −1 with
 * label 0 (a times) and label 1 (b times). By symmetry b = 0, and w solves
 *   w + 2C(−a·σ(−w) + b·σ(w)) = 0.
 * Root by scipy.optimize.brentq: a=3, b=1, C=1 → 0.6836238387577512; C=10 → 1.0310134732728067
 * (→ log(a/b) = log 3 as C → ∞).
 */
function oneDimensional(a: number, b: number): { x: Float64Array; y: Uint8Array } {
  const x: number[] = [];
  const y: number[] = [];
  for (let k = 0; k < a; k++) {
    x.push(1, -1);
    y.push(1, 0);
  }
  for (let k = 0; k < b; k++) {
    x.push(1, -1);
    y.push(0, 1);
  }
  return { x: Float64Array.from(x), y: Uint8Array.from(y) };
}

describe('fitLogistic', () => {
  it('reaches the known 1-D optimum', () => {
    const { x, y } = oneDimensional(3, 1);
    const model = fitLogistic(x, y, 8, 1, { C: 1, tol: 1e-10 });
    expect(model.converged).toBe(true);
    expect(model.weights[0]).toBeCloseTo(0.6836238387577512, 8);
    expect(model.intercept).toBeCloseTo(0, 10);
    expect(fitLogistic(x, y, 8, 1, { C: 10, tol: 1e-10 }).weights[0]).toBeCloseTo(1.0310134732728067, 8);
  });

  it('matches a scipy BFGS optimum on a small 3-D problem', () => {
    // x_ij = sin(1 + 3i + j), y_i = 1 if 7i mod 3 = 0; scipy.optimize.minimize(BFGS, gtol 1e-12) of
    // ½‖w‖² + Σ log(1 + exp(−s_i z_i)) gave w, b and f below.
    const n = 12;
    const d = 3;
    const x = Float64Array.from({ length: n * d }, (_, k) => Math.sin(1 + k));
    const y = Uint8Array.from({ length: n }, (_, i) => ((i * 7) % 3 === 0 ? 1 : 0));
    const model = fitLogistic(x, y, n, d, { tol: 1e-10 });
    const expected = [0.2736851520404858, 0.06762376246555811, -0.20061058598235973];
    for (const [j, w] of expected.entries()) expect(model.weights[j]).toBeCloseTo(w, 7);
    expect(model.intercept).toBeCloseTo(-0.7248915151600541, 7);
    expect(model.objective).toBeCloseTo(7.531470431903406, 10);
  });

  it('stops at a stationary point of the penalised likelihood (gradient ≈ 0)', () => {
    const rng = stream(4, 'test/logistic');
    const n = 300;
    const d = 20;
    const x = Float64Array.from({ length: n * d }, () => gaussian(rng));
    const y = Uint8Array.from({ length: n }, (_, i) => (x[i * d]! + 0.5 * gaussian(rng) > 0 ? 1 : 0));
    const C = 0.5;
    const model = fitLogistic(x, y, n, d, { C, tol: 1e-10 });
    expect(model.converged).toBe(true);
    // Recompute ∇f independently: w + C Σ (σ(z_i) − y_i) x_i, and the intercept part.
    const grad = Array.from(model.weights);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      let z = model.intercept;
      for (let j = 0; j < d; j++) z += x[i * d + j]! * model.weights[j]!;
      const residual = C * (sigmoid(z) - y[i]!);
      gb += residual;
      for (let j = 0; j < d; j++) grad[j]! += residual * x[i * d + j]!;
    }
    expect(Math.max(...grad.map(Math.abs), Math.abs(gb))).toBeLessThan(1e-6);
  });

  it('separates separable data perfectly and keeps weights finite', () => {
    const x = Float64Array.of(-3, -2, -1, 1, 2, 3);
    const y = Uint8Array.of(0, 0, 0, 1, 1, 1);
    const model = fitLogistic(x, y, 6, 1);
    expect(Number.isFinite(model.weights[0]!)).toBe(true);
    expect(Array.from(predictLogistic(model, x, 6, 1))).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it('treats all-zero features as uninformative (weights 0, ties predict 0)', () => {
    const model = fitLogistic(new Float64Array(8), Uint8Array.of(1, 0, 1, 0), 4, 2);
    expect(Array.from(model.weights)).toEqual([0, 0]);
    expect(Array.from(predictLogistic(model, new Float64Array(4), 2, 2))).toEqual([0, 0]);
  });

  it('rejects bad input with a clear message', () => {
    expect(() => fitLogistic(new Float64Array(4), Uint8Array.of(1, 2), 2, 2)).toThrow(/y\[1\] = 2/);
    expect(() => fitLogistic(new Float64Array(3), Uint8Array.of(1, 0), 2, 2)).toThrow(/expected n\*d/);
    expect(() => fitLogistic(Float64Array.of(1, Number.NaN), Uint8Array.of(1, 0), 2, 1)).toThrow(
      /non-finite/,
    );
    expect(() => fitLogistic(new Float64Array(2), Uint8Array.of(1, 0), 2, 1, { C: 0 })).toThrow(/C must be/);
  });
});
