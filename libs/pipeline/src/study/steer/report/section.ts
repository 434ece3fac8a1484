/**
 * The report's steering section (docs/method.md §7: every setting's switch rates beside its
 * matched, within-selection and paper controls with bootstrap intervals, paired p before and after
 * Holm) and the capability control.
 */
import { type FigureIndex, fig } from '../../common/figures.js';
import { section, table } from '../../common/markdown.js';
import { EXACT_NOTE, holmVerdict, pct, pValue, rateInterval } from '../../common/verdicts.js';
import type { HeldOutPrediction } from '../learn/held-out.js';
import type { Reliability } from '../learn/reliability.js';
import type { SwitchDirection } from '../runs/summary.js';
import type { SteeringFile, SteeringSetting } from '../steering-file.js';

/** A setting as the report names it: its id, which says what it changes (../plan/ids.ts). */
export function settingLabel(s: Pick<SteeringSetting, 'id'>): string {
  return `\`${s.id}\``;
}

function interval(rate: number | null, ci: [number, number] | null, n: number): string {
  if (rate === null) return '—';
  return ci ? rateInterval(rate, ci[0], ci[1], n) : pct(rate);
}

function directionTable(settings: SteeringSetting[], dir: SwitchDirection): string {
  // Only learned directions have a shuffled-label control; the column appears when one is in the grid.
  const shuffled = settings.some((s) => s[`${dir}_shuffled_control`] !== null);
  const layer = settings.some((s) => s[`${dir}_layer_control`] != null);
  const rows = settings.map((s) => {
    const d = dir === 'mem_to_gen' ? s.memToGen : s.genToMem;
    const n = d?.vsMatched.items ?? 0;
    const p = s[`p_${dir}`];
    const holmP = s[`holm_p_${dir}`];
    return [
      settingLabel(s),
      String(s.coordinates),
      String(n),
      interval(s[dir], s[`${dir}_ci`], n),
      interval(s[`${dir}_control`], s[`${dir}_control_ci`], n),
      pct(s[`${dir}_within_control`]),
      ...(layer ? [pct(s[`${dir}_layer_control`] ?? null)] : []),
      interval(s[`${dir}_paper_control`], s[`${dir}_paper_control_ci`], n),
      ...(shuffled ? [pct(s[`${dir}_shuffled_control`])] : []),
      pct(s[`${dir}_other`]),
      p === null ? '—' : pValue(p),
      holmP === null ? '—' : pValue(holmP),
      holmVerdict(s[dir], s[`${dir}_control`], holmP, n),
    ];
  });
  return table(
    [
      'setting',
      'coords',
      'items',
      'targeted [95 % CI]',
      'matched control [95 % CI]',
      'within-selection control',
      ...(layer ? ['layer-matched control'] : []),
      'paper control [95 % CI]',
      ...(shuffled ? ['shuffled-label control'] : []),
      '"other"',
      'paired p',
      'Holm p',
      'verdict',
    ],
    rows,
  );
}

/** "12.0 % vs 3.5 % matched control (Holm p 0.004) — verdict" for one direction of a setting. */
export function directionCell(s: SteeringSetting, dir: SwitchDirection): string {
  if (s[dir] === null) return 'not measured (no item had this label unsteered)';
  const holmP = s[`holm_p_${dir}`];
  const n = (dir === 'mem_to_gen' ? s.memToGen : s.genToMem)?.vsMatched.items ?? 0;
  return (
    `${pct(s[dir])} vs ${pct(s[`${dir}_control`])} matched control (Holm p ` +
    `${holmP === null ? '—' : pValue(holmP)}) — ${holmVerdict(s[dir], s[`${dir}_control`], holmP, n)}`
  );
}

function primaryLine(st: SteeringFile): string {
  const p = st.settings.find((s) => s.id === st.primary);
  if (!p) return `Pre-declared setting \`${st.primary}\`: not in this grid.`;
  return (
    `**Pre-declared setting** ${settingLabel(p)} (the one compared across seeds, chosen before the run): ` +
    `Mem→Gen ${directionCell(p, 'mem_to_gen')}; Gen→Mem ${directionCell(p, 'gen_to_mem')}; capability ` +
    `${pct(p.capability)} (unsteered ${pct(p.capability_unsteered)}).`
  );
}

/** Where each learned direction sits and how its site was chosen; empty without direction settings. */
function learnedLines(st: SteeringFile): string[] {
  const seen = new Set<string>();
  const lines = st.settings.flatMap((s) => {
    const l = s.learned;
    // A subspace is shared by its family's α; a direction is learned per α.
    const key = s.kind === 'das' ? `${s.family}` : `${s.family}-${s.alpha}`;
    if (!l || seen.has(key)) return [];
    seen.add(key);
    const chosen = l.choice
      ? `, chosen on the training split (${l.choice.learnedOn} pairs learned, ${l.choice.scoredOn} scored: ` +
        l.choice.candidates.map((c) => `${c.hook} ${c.score}`).join(', ') +
        ')'
      : '';
    if (l.rank !== undefined) {
      const fit = l.interchange
        ? `; its interchange with the partner switches ${l.interchange.memToGen.switched}/${l.pairs} mem and ` +
          `${l.interchange.genToMem.switched}/${l.pairs} gen training members`
        : '';
      return [`family ${s.family}: a ${l.rank}-dimensional subspace at \`${l.hook}\`${fit}${chosen}`];
    }
    return [
      `family ${s.family} at α ${s.alpha}: \`${l.hook}\` (norm ${l.norm.toFixed(3)} = α × ${l.unit.toFixed(3)})${chosen}`,
    ];
  });
  if (lines.length === 0) return [];
  return [
    `**Learned directions** (from the first ${st.settings.find((s) => s.learned)!.learned!.pairs} training pairs ` +
      `whose members answer differently; ${st.itemsLeftOut ?? 0} steering items equal to a training member left out). ` +
      'Controls: matched — a random direction of the same norm on as many coordinates of the same site ' +
      '(for a subspace, the norm of its mean shift on the training members); shuffled-label — the same ' +
      'learner on pairs whose members were swapped at random. Sites: ' +
      `${lines.join('; ')}.`,
  ];
}

/** The pre-declared learned direction's per-item reliability; empty when there is none. */
function reliabilityLines(st: SteeringFile): string[] {
  const r = st.reliability;
  if (!r) return [];
  const rates = (d: Reliability['memToGen']) =>
    `${pct(d.switched)} switch, ${pct(d.other)} answer neither, ${pct(d.wrongWay)} of the other class move the wrong way`;
  const held = (h: HeldOutPrediction) =>
    `${h.switched}/${h.members} switched (${h.other} neither); AUC of cos(own difference, vector) ` +
    `${h.auc === null ? '—' : h.auc.toFixed(3)}; switch rate by third of that cosine ` +
    h.byThird.map((x) => pct(x)).join(' / ');
  return [
    `**Per-item reliability** of \`${r.setting}\` on the steering set: Mem→Gen ${rates(r.memToGen)}; ` +
      `Gen→Mem ${rates(r.genToMem)}.` +
      (r.heldOut
        ? ` On the held-out pairs (after the training split) — Mem→Gen: ${held(r.heldOut.memToGen)}; ` +
          `Gen→Mem: ${held(r.heldOut.genToMem)}.`
        : ''),
  ];
}

function holmLine(st: SteeringFile): string {
  const h = st.holm;
  const survivors = h.surviving.map(
    (x) => `\`${x.id}\` ${x.direction === 'mem_to_gen' ? 'Mem→Gen' : 'Gen→Mem'}`,
  );
  return (
    `Holm's correction over all ${h.tests} tests of the grid (each setting × direction, targeted vs matched ` +
    `control, exact paired test) at ${h.level}: ` +
    (survivors.length === 0
      ? '**no setting survives** — every targeted effect is at noise level against its matched control.'
      : `${survivors.length} survive: ${survivors.join(', ')}.`)
  );
}

export function steeringSection(st: SteeringFile | null, figs: FigureIndex): string {
  if (!st)
    return section('Steering (docs/method.md §7)', 'The steering stage has not run for this configuration.');
  const u = st.unsteered.counts;
  const capability = st.settings.map((s) => [
    settingLabel(s),
    pct(s.capability),
    pct(s.capability_control),
    pct(s.capability_unsteered),
  ]);
  const checks = st.alphaZero.checks.map((c) => `${c.path} (\`${c.setting}\`)`).join('; ');
  return section(
    'Steering (docs/method.md §7)',
    `Steering set: ${st.items} fresh conflict items, unsteered mem ${u.mem} / gen ${u.gen} / other ${u.other}; ` +
      `${st.settings.length} settings. Directed settings (add, class mean-ablation) have a toward-mem and a ` +
      'toward-gen run; undirected ones (pooled mean-ablation, head ablation, scaling) one run read both ways. ' +
      'Controls: **matched** — as many random coordinates (heads: other heads), the same operation and, for add, ' +
      "the targeted shift's L2 norm in a random direction; **within-selection** — the targeted coordinates in a " +
      'random direction of the same norm; **layer-matched** (add by |r|) — as many random coordinates in each ' +
      "layer as the selection has there, at the same norm; the **paper's** — U(−m, m) on as many random coordinates, m the largest " +
      'targeted |shift|. Intervals: stratified bootstrap, 95 %; p: exact paired (McNemar) test of targeted vs ' +
      'matched control on the same items.' +
      (st.excludedSites.length > 0 ? ` Not steered: ${st.excludedSites.join(', ')}.` : ''),
    `Identity checks: every intervention path at α = 0 or with no coordinates reproduced all ` +
      `${st.items + st.capabilityItems} unsteered outputs exactly — ${checks}.`,
    primaryLine(st),
    ...learnedLines(st),
    ...reliabilityLines(st),
    holmLine(st),
    `**Mem→Gen** (originally-mem items that answer gen):\n\n${directionTable(st.settings, 'mem_to_gen')}`,
    `**Gen→Mem** (originally-gen items that answer mem):\n\n${directionTable(st.settings, 'gen_to_mem')}`,
    ...st.settings
      .map((s) => s.family)
      .filter((f, k, all) => all.indexOf(f) === k)
      .map((f) => fig(figs, `steering-dose-f${f}`)),
    `**Capability control**: accuracy on ${st.capabilityItems} ordinary (rule) items, the lowest over a ` +
      `setting's targeted runs, beside its matched control; an answer-free guesser would score ` +
      `${pct(st.capabilityShortcutBaseline)}:\n\n` +
      table(['setting', 'targeted', 'matched control', 'unsteered'], capability),
    EXACT_NOTE,
  );
}
