/**
 * Cross-run steering (cross-steer.ts) as Markdown: per steered run, one row per setting with the
 * switch rates under its own coordinates and under the other run's, each beside its matched control
 * and Holm's call.
 */

import { table } from '../common/markdown.js';
import { pct, pctWithInterval, pValue } from '../common/verdicts.js';
import type { RunCrossSteering, SettingNumbers } from './cross-steer.js';

type Direction = 'mem_to_gen' | 'gen_to_mem';

/** "12.5 % [8.1, 17.0] vs 3.0 % (p 0.001, Holm ✓)" for one direction of one setting. */
function rateVersusControl(s: SettingNumbers, d: Direction): string {
  const rate = s[d];
  if (rate === null) return '—';
  const ci = s[`${d}_ci`];
  const shown = ci ? pctWithInterval(rate, ci[0], ci[1]) : pct(rate);
  const holm = s[`holm_p_${d}`];
  const call = s[`survives_holm_${d}`] ? 'Holm ✓' : 'at noise level';
  return `${shown} vs ${pct(s[`${d}_control`])} (${holm === null ? '—' : `Holm p ${pValue(holm)}`}, ${call})`;
}

/** One section per (from, to) pair; `name(i)` labels run i. */
export function crossSteeringMarkdown(
  steering: readonly RunCrossSteering[],
  name: (i: number) => string,
): string {
  if (steering.length === 0) return '';
  const sections = steering.map((x) => {
    const header = `**${name(x.to)} steered with ${name(x.from)}'s coordinates** (${x.items} fresh conflict items, study seed ${x.seed}; unsteered mem ${x.unsteered.mem} / gen ${x.unsteered.gen} / other ${x.unsteered.other})`;
    const rows = x.settings.map((s) => [
      s.id,
      rateVersusControl(s.own, 'mem_to_gen'),
      rateVersusControl(s.borrowed, 'mem_to_gen'),
      rateVersusControl(s.own, 'gen_to_mem'),
      rateVersusControl(s.borrowed, 'gen_to_mem'),
      `${pct(s.own.capability)} / ${pct(s.borrowed.capability)} (${pct(s.own.capability_unsteered)})`,
    ]);
    return [
      header,
      table(
        [
          'setting',
          'Mem→Gen, own vs matched',
          "Mem→Gen, other run's vs matched",
          'Gen→Mem, own vs matched',
          "Gen→Mem, other run's vs matched",
          "capability: own / other run's (unsteered)",
        ],
        rows,
      ),
      `Holm (own): ${x.holmOwn.surviving.length} of ${x.holmOwn.tests} tests survive; ` +
        `Holm (other run's): ${x.holmBorrowed.surviving.length} of ${x.holmBorrowed.tests}.`,
    ].join('\n\n');
  });
  return [
    "Steering across runs: each setting decoded on the steered run's fresh conflict items with its own top-N " +
      "coordinates (and NMD, sd) and with the other run's, each beside its matched control (as many random " +
      'coordinates, the same shift size). Rates: bootstrap 95 % intervals; p: exact paired test against the ' +
      'matched control, Holm-corrected over each column family. Capability is rule accuracy on ordinary ' +
      'items under the targeted run: a switch that comes with it near 0 is the model breaking, not steering.',
    ...sections,
  ].join('\n\n');
}
