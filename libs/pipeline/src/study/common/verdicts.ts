/**
 * The report's wording rules that every section shares, in one place so they can be tested: every
 * effect is compared with its control, and anything the test cannot tell from the control is called
 * indistinguishable from it. The stages' own verdicts sit with their sections (stats/report.ts:
 * noise level; probes/report.ts: probes against their shuffled twins).
 */

/** Significance level of every call in the report. */
export const ALPHA_LEVEL = 0.05;

export function pct(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(100 * x).toFixed(digits)} %`;
}

export function num(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);
}

/** A p-value as text: small ones in exponent form, never "0". */
export function pValue(p: number): string {
  if (!Number.isFinite(p)) return '—';
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}

/** "12.5 % [8.1, 17.0]" */
export function pctWithInterval(rate: number, lower: number, upper: number): string {
  return `${pct(rate)} [${(100 * lower).toFixed(1)}, ${(100 * upper).toFixed(1)}]`;
}

/** Marks an interval replaced by the exact one (see {@link rateInterval}). */
export const EXACT_MARK = '†';

/**
 * A rate of k/n with its bootstrap interval. At 0 % or 100 % the percentile bootstrap collapses to a
 * point, which would claim certainty 0 of n items cannot give; there the exact (Clopper–Pearson)
 * 95 % interval is shown instead, marked †: [0, 1 − 0.025^(1/n)] for 0/n, mirrored for n/n.
 */
export function rateInterval(rate: number, lower: number, upper: number, n: number): string {
  if (n > 0 && lower === upper && (rate === 0 || rate === 1)) {
    const bound = 1 - 0.025 ** (1 / n);
    const [lo, hi] = rate === 0 ? [0, bound] : [1 - bound, 1];
    return `${pctWithInterval(rate, lo, hi)}${EXACT_MARK}`;
  }
  return pctWithInterval(rate, lower, upper);
}

export const EXACT_NOTE =
  `${EXACT_MARK} At 0 % and 100 % the bootstrap interval collapses to a point; the exact ` +
  '(Clopper–Pearson) 95 % interval is shown instead.';

/**
 * Verdict for a targeted switch rate against its matched control after Holm's correction: only a
 * Holm-corrected p below the level calls a difference; anything else is at noise level.
 */
export function holmVerdict(
  rate: number | null,
  control: number | null,
  holmP: number | null,
  items: number,
): string {
  if (rate === null || control === null || holmP === null) return 'no item had this label unsteered';
  if (holmP < ALPHA_LEVEL)
    return rate > control ? 'above the matched control (Holm)' : 'below the matched control (Holm)';
  if (items < 10) return `at noise level (only ${items} items)`;
  return 'at noise level vs the matched control';
}
