/**
 * Report sections for the measurements before steering: training, flipped pairs, differentiation
 * (NMD, r, noise level) and prediction (probes with their baselines).
 */
import type { Figure } from './figures.js';
import { siteLabel } from './figures.js';
import type { ReportInputs } from './inputs.js';
import { figureLink, section, table } from './markdown.js';
import { referenceNumbers } from './paper.js';
import { noiseVerdict, num, pct, probeVerdict } from './verdicts.js';

export type FigureIndex = Map<string, Figure>;

export function fig(figs: FigureIndex, name: string): string | null {
  const f = figs.get(name);
  return f ? figureLink(f.name, f.title) : null;
}

function checkpointNote(inp: ReportInputs): string | null {
  const t = inp.train;
  if (!t) return null;
  if (t.qualified) {
    return (
      `Checkpoint: step ${t.selectedStep} of ${t.steps}, the evaluation with the most balanced gen × mem among ` +
      "those whose rule accuracy beat the answer-free shortcut baseline by the trainer's margin."
    );
  }
  return (
    `**Checkpoint not qualified:** no evaluation's rule accuracy beat the answer-free shortcut baseline by the ` +
    `trainer's margin, so checkpoint/ holds the last weights (step ${t.selectedStep}). This model's "gen" answers ` +
    'can be shortcut guesses (RECIPE.md): what follows describes a model without demonstrated rule skill.'
  );
}

export function trainingSection(inp: ReportInputs, figs: FigureIndex): string {
  if (!inp.curve || inp.curve.length === 0) {
    return section(
      'Training',
      checkpointNote(inp),
      `No training curve in this run directory (\`train/curve.jsonl\` is absent).`,
    );
  }
  const last = inp.curve[inp.curve.length - 1]!;
  const fields = Object.entries(last)
    .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`)
    .join(', ');
  return section(
    'Training',
    checkpointNote(inp),
    `${inp.curve.length} curve points; last: ${fields}.`,
    fig(figs, 'training-loss'),
    fig(figs, 'training-curve'),
    fig(figs, 'training-accuracy'),
  );
}

export function pairsSection(inp: ReportInputs, stoppedReason: string | null): string {
  const p = inp.pairs;
  if (!p) return section('Flipped pairs (SPEC §4)', 'The pairs stage has not run for this configuration.');
  const paper = referenceNumbers(p.task.name).flipRate;
  const c = p.combinations;
  const rows = [
    ['mem / gen (flipped, kept up to the target)', String(c['gen/mem'])],
    ['mem / mem', String(c['mem/mem'])],
    ['gen / gen', String(c['gen/gen'])],
    ['mem / other', String(c['mem/other'])],
    ['gen / other', String(c['gen/other'])],
    ['other / other', String(c['other/other'])],
    ['identical variant (not decoded)', String(p.identicalVariants)],
  ];
  const members = p.memberLabels;
  const decoded = members.mem + members.gen + members.other;
  return section(
    'Flipped pairs (SPEC §4)',
    `**Flip rate ${pct(p.flipRate, 2)}** (${p.flipped} of ${p.pairsDecoded} decoded pairs; paper: ` +
      `${paper === null ? 'not reported for this task' : pct(paper)}). Kept ${p.kept} pairs (target ${p.target}) ` +
      `from ${p.itemsDrawn} conflict items; decoding: ${p.decoding.beamWidth === 1 ? 'greedy' : `beam ${p.decoding.beamWidth}`}.`,
    `All decoded prompts: mem ${pct(members.mem / decoded)}, gen ${pct(members.gen / decoded)}, ` +
      `other ${pct(members.other / decoded)} of ${decoded}.`,
    table(['pair labels (item / variant, unordered)', 'pairs'], rows),
    stoppedReason ? `**The study stops here:** ${stoppedReason}` : null,
  );
}

export function differentiationSection(inp: ReportInputs, figs: FigureIndex): string {
  const s = inp.stats?.summary;
  if (!s)
    return section('Differentiation (SPEC §5)', 'The statistics stage has not run for this configuration.');
  const rows = s.resid.sites.map((site) => [
    siteLabel(site.site) + (s.resid.excludedSites.includes(site.site) ? ' (excluded)' : ''),
    num(site.meanAbsNmd, 4),
    num(site.meanSd, 4),
    site.meanSd > 0 ? pct(site.meanAbsNmd / site.meanSd) : '—',
    num(site.maxAbsR),
  ]);
  const top = s.resid.top.map((t) => [siteLabel(t.site), String(t.dim), num(t.r), num(t.nmd, 4)]);
  return section(
    'Differentiation (SPEC §5)',
    noiseVerdict(s.resid.noise),
    s.resid.excludedSites.length > 0
      ? `Excluded from ranking, noise level and steering: ${s.resid.excludedSites.join(', ')} ` +
          '(it encodes only the last token and its position). The permutation test swaps ' +
          "the labels within pairs, so it respects that a pair's two members share their story."
      : null,
    table(['layer', 'mean |NMD|', 'mean sd', 'mean |NMD| / mean sd', 'max |r|'], rows),
    'Caveat: activations at the last prompt token predict the next token, and mem and gen answers are ' +
      'different tokens, so part of any mem/gen difference there encodes which answer comes next rather than ' +
      'how it was reached.',
    fig(figs, 'mean-abs-nmd'),
    fig(figs, 'max-abs-r'),
    fig(figs, 'nmd-heatmap'),
    top.length > 0 ? `Top coordinates by |r|:\n\n${table(['layer', 'dim', 'r', 'NMD'], top)}` : null,
    s.mlpPost ? `MLP neurons: ${noiseVerdict(s.mlpPost.noise)}` : null,
  );
}

export function probesSection(inp: ReportInputs, figs: FigureIndex): string {
  const p = inp.probes;
  if (!p) return section('Prediction (SPEC §6)', 'The probes stage has not run for this configuration.');
  const cell = (a: { mean: number; sd: number }) => `${num(a.mean)} ± ${num(a.sd)}`;
  const rows = p.resid.raw.map((raw, s) => {
    const sr = p.resid.shuffledRaw[s]!;
    const c = p.resid.centred[s]!;
    const sc = p.resid.shuffledCentred[s]!;
    return [
      siteLabel(raw.site),
      cell(raw),
      cell(sr),
      probeVerdict(raw, sr),
      cell(c),
      cell(sc),
      probeVerdict(c, sc),
    ];
  });
  const curve = p.learningCurve.map((pt) => [
    String(pt.pairs),
    ...pt.raw.map((r, s) => `${num(r.mean)} / ${num(pt.centred[s]!.mean)}`),
  ]);
  const nonConverged = [...p.resid.raw, ...p.resid.centred].reduce((n, r) => n + r.nonConvergedFolds, 0);
  return section(
    'Prediction (SPEC §6)',
    `L2 logistic probes (C = ${p.C}), ${p.folds} folds split by pair, ${p.pairs} pairs; accuracy is the mean ± sd ` +
      `over folds; chance is ${p.chance}. Each probe is shown beside its shuffled-label twin (same folds). ` +
      '"above shuffled" means the difference exceeds twice its fold standard error — a screen, not a ' +
      'formal test (folds share training data); anything else is reported "indistinguishable from shuffled".',
    table(
      ['layer', 'raw', 'raw, shuffled', 'raw verdict', 'centred', 'centred, shuffled', 'centred verdict'],
      rows,
    ),
    `Input-only baseline (a probe on the prompt's bag of tokens): ${cell(p.inputOnly)}.`,
    fig(figs, 'probe-accuracy'),
    curve.length > 1
      ? `Learning curve (raw / centred accuracy by layer):\n\n${table(
          ['pairs', ...p.resid.raw.map((r) => siteLabel(r.site))],
          curve,
        )}`
      : null,
    nonConverged > 0 ? `${nonConverged} probe folds stopped before the solver's tolerance.` : null,
  );
}
