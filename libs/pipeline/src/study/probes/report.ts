/**
 * The report's prediction section (docs/method.md §6): every probe beside its shuffled-label twin,
 * the input-only baseline and the learning curve, and the probe-accuracy figure.
 */
import { lineChart, type Row } from '@memgen/report';
import { type Figure, type FigureIndex, fig, readable, siteLabel } from '../common/figures.js';
import { section, table } from '../common/markdown.js';
import { num } from '../common/verdicts.js';
import type { ProbesFile, SiteAccuracy } from './stage.js';

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

export function probesSection(p: ProbesFile | null, figs: FigureIndex): string {
  const title = 'Prediction (docs/method.md §6)';
  if (!p) return section(title, 'The probes stage has not run for this configuration.');
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
    title,
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

/** Accuracy by layer of the four probes beside the input-only baseline and chance. */
export function probeAccuracyFigure(p: ProbesFile | null): Figure | null {
  if (!p) return null;
  const series: [string, { site: string; mean: number }[]][] = [
    ['raw', p.resid.raw],
    ['within-pair-centred', p.resid.centred],
    ['raw, shuffled labels', p.resid.shuffledRaw],
    ['centred, shuffled labels', p.resid.shuffledCentred],
  ];
  const data: Row[] = series.flatMap(([name, rows]) =>
    rows.map((r, s) => ({ layer: s, probe: name, accuracy: r.mean })),
  );
  for (let s = 0; s < p.resid.raw.length; s++) {
    data.push({ layer: s, probe: 'input only (bag of tokens)', accuracy: p.inputOnly.mean });
    data.push({ layer: s, probe: 'chance', accuracy: p.chance });
  }
  const title = `Probe accuracy by layer (${p.folds} folds split by pair, ${p.pairs} pairs)`;
  return {
    name: 'probe-accuracy',
    title,
    spec: readable(
      lineChart({
        title,
        x: { field: 'layer', title: 'layer (0 = embedding, l = output of block l−1)' },
        y: { field: 'accuracy', domain: [0, 1] },
        series: 'probe',
        data,
      }),
      true,
    ),
  };
}
