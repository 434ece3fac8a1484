/**
 * Dose–response figures of the steering grid: for each intervention family with an α, the switch
 * rates against α — targeted beside the matched and the paper's control, each with its 95 %
 * interval — and on the same axis the targeted run's "other" rate and the capability accuracy.
 */
import { lineChart, type Row } from '@memgen/report';
import type { Figure } from '../../common/figures.js';
import type { SteeringFile, SteeringSetting } from '../steering-file.js';

/** A setting's id without its α: the family's label (`add-nmd-resid-top5-last`). */
export function familyLabel(id: string): string {
  return id.replace(/-a-?[0-9.e+-]+$/, '');
}

type Interval = [number, number] | null;

function point(
  s: SteeringSetting,
  series: string,
  role: 'targeted' | 'control' | 'side effect',
  rate: number | null,
  ci: Interval = null,
): Row[] {
  if (rate === null) return [];
  return [{ alpha: s.alpha, series, role, rate, lower: ci?.[0] ?? null, upper: ci?.[1] ?? null }];
}

/** A direction's rows (its fields prefixed `d`): the targeted rate, the matched and the paper's control. */
function directionRows(s: SteeringSetting, label: string, d: 'mem_to_gen' | 'gen_to_mem'): Row[] {
  return [
    ...point(s, `${label} targeted`, 'targeted', s[d], s[`${d}_ci`]),
    ...point(s, `${label} matched control`, 'control', s[`${d}_control`], s[`${d}_control_ci`]),
    ...point(s, `${label} paper control`, 'control', s[`${d}_paper_control`], s[`${d}_paper_control_ci`]),
  ];
}

/** The rows of one setting: both directions with both controls, "other" and capability. */
function settingRows(s: SteeringSetting): Row[] {
  return [
    ...directionRows(s, 'Mem→Gen', 'mem_to_gen'),
    ...directionRows(s, 'Gen→Mem', 'gen_to_mem'),
    ...point(s, '"other" from mem (targeted)', 'side effect', s.mem_to_gen_other),
    ...point(s, '"other" from gen (targeted)', 'side effect', s.gen_to_mem_other),
    ...point(s, 'capability (targeted)', 'side effect', s.capability),
  ];
}

/** One figure per family whose settings have an α (add, scale), in family order. */
export function doseResponseFigures(steering: SteeringFile | null): Figure[] {
  const byFamily = new Map<number, SteeringSetting[]>();
  for (const s of steering?.settings ?? []) {
    if (s.alpha !== null) byFamily.set(s.family, [...(byFamily.get(s.family) ?? []), s]);
  }
  const out: Figure[] = [];
  for (const [family, settings] of byFamily) {
    const data = settings.flatMap(settingRows);
    if (data.length === 0) continue;
    const label = familyLabel(settings[0]!.id);
    const logX = settings.every((s) => s.alpha! > 0) && settings.length > 1;
    const title = `Dose–response, ${label}: switch rate vs α (controls dashed, 95 % intervals)`;
    const spec = lineChart({
      title,
      x: { field: 'alpha', title: 'α', ...(logX ? { scale: 'log' as const } : {}) },
      y: { field: 'rate', title: 'fraction of items', domain: [0, 1] },
      series: 'series',
      dash: 'role',
      interval: { lower: 'lower', upper: 'upper' },
      data,
    });
    const withLegend = { ...spec, config: { legend: { labelLimit: 0 } } } as typeof spec;
    out.push({ name: `steering-dose-f${family}`, title, spec: withLegend });
  }
  return out;
}
