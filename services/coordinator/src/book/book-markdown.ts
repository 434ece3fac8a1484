/**
 * results.md: per group (task × size), each seed's figures and the mean ± sd over the qualified
 * seeds beside the paper's numbers, then the NMD depth profile, probes by layer, the patching map
 * and the steering grid against the matched control with Holm-corrected p.
 */
import { num as fix, pct, pValue, referenceNumbers, table } from '@memgen/pipeline';
import { assertTaskName } from '@memgen/tasks';
import type { Summary } from '../results.js';
import { type BookGroup, CRITERION, meetsCriterion } from './book-groups.js';
import type { BookRun } from './book-runs.js';

const pv = (p: number | null) => (p === null ? '—' : pValue(p));

/** `mean ± sd (n = k)` over seeds, `— ` without values. */
export function meanSd(s: Summary, format: (x: number) => string): string {
  if (s.mean === null) return '—';
  return s.sd === null ? `${format(s.mean)} (n = 1)` : `${format(s.mean)} ± ${format(s.sd)} (n = ${s.n})`;
}

function seedLabel(r: BookRun): string {
  const mark = r.qualified === true ? '' : r.qualified === false ? ' (unqualified)' : ' (not trained)';
  return `${r.seed}${mark}`;
}

function seedsTable(runs: readonly BookRun[]): string {
  const rows = runs.map((r) => {
    const p = r.steering.find((s) => s.id === r.primary);
    return [
      seedLabel(r),
      r.selected_step === null ? '—' : String(r.selected_step),
      `${fix(r.rule_acc)} (baseline ${fix(r.shortcut_baseline)})`,
      r.n === null ? '—' : `${r.gen} / ${r.mem} / ${r.n}`,
      pct(r.flip_rate),
      `${fix(r.max_abs_r)} vs ${fix(r.permutation_p95)} / ${fix(r.permutation_p99)}`,
      p ? `${pct(p.mem_to_gen)} vs ${pct(p.mem_to_gen_control)} (Holm p ${pv(p.holm_p_mem_to_gen)})` : '—',
      p ? `${pct(p.gen_to_mem)} vs ${pct(p.gen_to_mem_control)} (Holm p ${pv(p.holm_p_gen_to_mem)})` : '—',
      p ? `${fix(p.capability)} / ${fix(p.capability_unsteered)}` : '—',
      r.stopped ?? '',
    ];
  });
  return table(
    [
      'seed',
      'selected step',
      'balanced rule acc.',
      'conflict gen / mem / n',
      'flip rate',
      'max abs(r) vs perm. p95 / p99',
      'primary Mem→Gen vs matched',
      'primary Gen→Mem vs matched',
      'capability / unsteered',
      'stopped',
    ],
    rows,
  );
}

function summaryTable(g: BookGroup): string {
  assertTaskName(g.task);
  const ref = referenceNumbers(g.task);
  const primary = g.settings.find((s) => s.id === g.primary);
  const rows = [
    ['flip rate', meanSd(g.summary.flip_rate, pct), ref.flipRate === null ? '—' : `≈ ${pct(ref.flipRate)}`],
    ['balanced rule accuracy', meanSd(g.summary.rule_acc, (x) => x.toFixed(3)), '—'],
    ['shortcut baseline', meanSd(g.summary.shortcut_baseline, (x) => x.toFixed(3)), '—'],
    ['max abs(r)', meanSd(g.summary.max_abs_r, (x) => x.toFixed(3)), '—'],
  ];
  if (primary) {
    const s = primary.summary;
    rows.push(
      [`Mem→Gen, ${primary.id}`, meanSd(s.mem_to_gen, pct), pct(ref.memToGen)],
      ['  matched control', meanSd(s.mem_to_gen_control, pct), ref.random],
      [`Gen→Mem, ${primary.id}`, meanSd(s.gen_to_mem, pct), pct(ref.genToMem)],
      ['  matched control', meanSd(s.gen_to_mem_control, pct), ref.random],
      [
        'capability (steered / unsteered)',
        `${meanSd(s.capability, pct)} / ${meanSd(s.capability_unsteered, pct)}`,
        '—',
      ],
    );
  }
  return table(['quantity (qualified seeds)', 'mean ± sd', 'paper'], rows);
}

/** Rows = the sites of the first run that has them; one column per seed. */
function perSiteTable<T extends { site: string }>(
  runs: readonly BookRun[],
  pick: (r: BookRun) => T[],
  cell: (x: T) => string,
): string | null {
  const sites = runs
    .map(pick)
    .find((xs) => xs.length > 0)
    ?.map((x) => x.site);
  if (!sites) return null;
  const rows = sites.map((site) => [
    site,
    ...runs.map((r) => {
      const x = pick(r).find((y) => y.site === site);
      return x ? cell(x) : '—';
    }),
  ]);
  return table(['site', ...runs.map((r) => `seed ${seedLabel(r)}`)], rows);
}

function patchingTable(runs: readonly BookRun[]): string | null {
  const withMap = runs.filter((r) => r.patching !== null);
  if (withMap.length === 0) return null;
  const ids = withMap[0]!.patching!.sites.map((s) => s.id);
  const rows = ids.map((id) => [
    id,
    ...withMap.map((r) => {
      const s = r.patching!.sites.find((x) => x.id === id);
      return s ? `${pct(s.mem_to_gen)} / ${pct(s.gen_to_mem)}` : '—';
    }),
  ]);
  const headers = [
    'site (Mem→Gen / Gen→Mem switched)',
    ...withMap.map((r) => `seed ${seedLabel(r)}, ${r.patching!.pairs} pairs`),
  ];
  return table(headers, rows);
}

/**
 * Controls shown beside the matched one when some setting of the group has them: the paper's
 * (U(−m, m) on random coordinates; the authors' recipe with `-ctlnmd`) and the layer-matched one.
 */
const EXTRA_CONTROLS = [
  { field: 'paper', label: 'paper control' },
  { field: 'layer', label: 'layer-matched' },
] as const;

function steeringTable(g: BookGroup): string {
  const extra = EXTRA_CONTROLS.filter((c) =>
    g.settings.some((s) => s.summary[`mem_to_gen_${c.field}_control`].n > 0),
  );
  const direction = (s: BookGroup['settings'][number], d: 'mem_to_gen' | 'gen_to_mem') => [
    meanSd(s.summary[d], pct),
    meanSd(s.summary[`${d}_control`], pct),
    ...extra.map((c) => meanSd(s.summary[`${d}_${c.field}_control`], pct)),
    pv(s[`max_holm_p_${d}`]),
  ];
  const rows = g.settings.map((s) => [
    s.id === g.primary ? `**${s.id}** (primary)` : s.id,
    ...direction(s, 'mem_to_gen'),
    ...direction(s, 'gen_to_mem'),
    meanSd(s.summary.capability, pct),
    `${s.meets_criterion} / ${s.seeds}`,
  ]);
  const heads = (d: string) => [d, 'matched', ...extra.map((c) => c.label), 'max Holm p'];
  return table(
    ['setting', ...heads('Mem→Gen'), ...heads('Gen→Mem'), 'capability', 'seeds meeting the criterion'],
    rows,
  );
}

/** A setting id with a calibrated sublayer (pipeline study/steer/plan/ids.ts spells it `gencalib` / `memcalib`). */
const CALIBRATED_ID = /-(gen|mem)calib-/;

/** Per calibrated setting and seed: the sublayers chosen on the pairs, and the matched control's. */
function calibrationTable(runs: readonly BookRun[]): string | null {
  const ids = [
    ...new Set(runs.flatMap((r) => r.steering.filter((s) => CALIBRATED_ID.test(s.id)).map((s) => s.id))),
  ];
  if (ids.length === 0) return null;
  const short = (h: string) => h.replace(/^blocks\./, 'b');
  const rows = ids.map((id) => [
    id,
    ...runs.map((r) => {
      const s = r.steering.find((x) => x.id === id);
      if (!s?.targets) return '—';
      const control = s.control_targets ? ` (control ${s.control_targets.map(short).join(', ')})` : '';
      return `${s.targets.map(short).join(' / ')}${control}`;
    }),
  ]);
  return table(
    ['calibrated setting (toward gen / toward mem)', ...runs.map((r) => `seed ${seedLabel(r)}`)],
    rows,
  );
}

function criterionLine(g: BookGroup, runs: readonly BookRun[]): string {
  const q = g.qualified_seeds.length;
  const all = g.settings.filter((s) => q > 0 && s.meets_criterion === q && s.seeds === q).map((s) => s.id);
  const rule =
    `Criterion: targeted Mem→Gen and Gen→Mem each ≥ ${CRITERION.ratio}× the matched control with Holm p < ` +
    `${CRITERION.holmP}, capability ≥ ${CRITERION.capabilityShare} × unsteered.`;
  if (q === 0) return `${rule} No seed of this group qualified, so none is judged.`;
  const anySeed = runs.some((r) => r.qualified === true && r.steering.some(meetsCriterion));
  if (all.length > 0) return `${rule} Met on every qualified seed (${q}) by: ${all.join(', ')}.`;
  return `${rule} **No setting meets it on every qualified seed (${q})**${anySeed ? '; some meet it on some seeds (table)' : '; none meets it on any seed'}.`;
}

export function groupSection(g: BookGroup, runs: readonly BookRun[], figures: readonly string[]): string {
  const hops = g.hops === null ? '' : ` ${g.hops}-hop`;
  const parts = [
    `## ${g.task}${hops}, preset ${g.preset}, size ${g.size}${g.overrides ? ` (${g.key})` : ''}`,
    g.overrides ? `Sweep overrides over the presets: \`${JSON.stringify(g.overrides)}\`.` : '',
    `Seeds ${g.seeds.join(', ')}; qualified: ${g.qualified_seeds.length > 0 ? g.qualified_seeds.join(', ') : 'none'}. ` +
      'Summaries are over the qualified seeds only; the others are listed, never pooled.',
    seedsTable(runs),
    summaryTable(g),
    '### NMD depth profile (mean abs(NMD) / max abs(r) per site)',
    perSiteTable(
      runs,
      (r) => r.nmd_by_site,
      (x) => `${fix(x.mean_abs_nmd, 4)} / ${fix(x.max_abs_r)}`,
    ) ?? 'not measured',
    '### Probes by layer (raw / centred; shuffled twins in brackets)',
    perSiteTable(
      runs,
      (r) => r.probes,
      (x) => `${fix(x.raw)} / ${fix(x.centred)} (${fix(x.shuffled_raw)} / ${fix(x.shuffled_centred)})`,
    ) ?? 'not measured',
    '### Patching map',
    ...figures.filter((f) => f.endsWith('-patching')).map((f) => `![patching map](figures/${f}.png)`),
    patchingTable(runs) ?? 'not measured',
    '### Steering over the qualified seeds',
    ...figures.filter((f) => f.endsWith('-dose')).map((f) => `![dose–response](figures/${f}.png)`),
    criterionLine(g, runs),
    g.settings.length > 0 ? steeringTable(g) : 'not measured',
    calibrationTable(runs) ?? '',
  ];
  return parts.filter((p) => p !== '').join('\n\n');
}
