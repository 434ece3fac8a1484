/**
 * Holm's step-down correction for a family of tests: controls the family-wise error rate at any
 * level without assuming the tests independent (the settings of a steering grid share items, so
 * they are not).
 */

/**
 * Holm-adjusted p-values, in the input order: with p sorted ascending, p̃_(i) = max over j ≤ i of
 * min(1, (m − j + 1)·p_(j)); a test survives at level a when p̃ ≤ a. The running maximum keeps the
 * adjusted values monotone in p, so tied p-values get tied results.
 * @param pValues each in [0, 1]
 * @throws Error naming the first p-value that is not a number in [0, 1]
 */
export function holm(pValues: readonly number[]): number[] {
  pValues.forEach((p, i) => {
    if (!(p >= 0 && p <= 1)) throw new Error(`p-value ${i} must be in [0, 1], got ${p}`);
  });
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
