/** Small descriptive statistics shared by the modules (float64 throughout). */

/** Arithmetic mean; throws on an empty list (an empty mean is a bug upstream, not 0). */
export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) throw new Error('mean of an empty list');
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/**
 * Sample standard deviation (divisor n − 1); 0 for a single value, since a spread of one
 * observation is reported as none rather than undefined.
 */
export function sampleSd(values: ArrayLike<number>): number {
  const m = mean(values);
  if (values.length < 2) return 0;
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += (values[i]! - m) ** 2;
  return Math.sqrt(ss / (values.length - 1));
}

/**
 * Quantile with linear interpolation between order statistics (the "type 7" definition used by
 * R's default and numpy's `quantile`): position `q * (n − 1)` in the sorted values.
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) throw new Error('quantile of an empty list');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile level must be in [0, 1], got ${q}`);
  const sorted = Float64Array.from(values).sort();
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Complementary error function, erfc(x), by the Chebyshev fit of Numerical Recipes (§6.2),
 * fractional error below 1.2e-7 everywhere — ample for p-values.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(poly);
  return x >= 0 ? r : 2 - r;
}

/** Standard normal cumulative distribution Φ(z). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}
