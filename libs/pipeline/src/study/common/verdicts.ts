/**
 * The report's wording rules, in one place so they can be tested: every effect is compared with its
 * control, and anything the test cannot tell from the control is called indistinguishable from it.
 */
import type { SiteAccuracy } from '../probes.js';
import type { NoiseSummary } from '../stats.js';

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

/** The noise-level sentence for max |r| (SPEC §5). */
export function noiseVerdict(noise: NoiseSummary): string {
  const body =
    `the largest |r| over the eligible coordinates is ${num(noise.observedMaxAbsR)}; under ` +
    `${noise.permutations} label permutations the 95th percentile of the largest |r| is ` +
    `${num(noise.threshold95)} (p = ${pValue(noise.pValue)})`;
  if (noise.atNoiseLevel) {
    return (
      `**At noise level:** ${body}. The neuron differences of this run are indistinguishable from ` +
      'noise; the NMD figures show sampling noise, not a memorization signal.'
    );
  }
  return `**Above noise level:** ${body}; ${noise.countAboveThreshold} coordinates exceed that threshold.`;
}

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

/**
 * Whether a probe beats its shuffled-label twin: the difference of the fold means must exceed twice
 * its standard error (fold sds combined, k folds each). Folds are not independent samples, so this is
 * a screen, not a test; the report says so.
 */
export function probeBeatsShuffled(probe: SiteAccuracy, shuffled: SiteAccuracy): boolean {
  const k = probe.folds.length;
  const se = Math.sqrt((probe.sd ** 2 + shuffled.sd ** 2) / k);
  return probe.mean - shuffled.mean > 2 * se && probe.mean > 0.5;
}

export function probeVerdict(probe: SiteAccuracy, shuffled: SiteAccuracy): string {
  return probeBeatsShuffled(probe, shuffled) ? 'above shuffled' : 'indistinguishable from shuffled';
}
