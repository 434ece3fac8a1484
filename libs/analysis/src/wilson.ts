/**
 * The Wilson score interval of a binomial proportion: unlike the normal approximation it stays
 * inside [0, 1] and keeps its coverage at 0 or n successes, which patching counts often are.
 */

/** The standard normal quantile of a two-sided 95 % interval. */
const Z95 = 1.959963984540054;

/**
 * @param k successes, an integer in [0, n]
 * @param n trials, a positive integer
 * @returns [lower, upper] of the ≈ 95 % interval (z = 1.96 unless given)
 */
export function wilsonInterval(k: number, n: number, z = Z95): [number, number] {
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`wilsonInterval: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(k) || k < 0 || k > n)
    throw new Error(`wilsonInterval: k must be an integer in [0, ${n}], got ${k}`);
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At k = 0 or k = n the bound is exactly 0 or 1; clamping removes rounding below/above it.
  return [k === 0 ? 0 : Math.max(0, centre - half), k === n ? 1 : Math.min(1, centre + half)];
}
