/**
 * The report's differentiation section (docs/method.md §5: NMD, r and the noise level of the
 * largest |r|) and its figures: the per-layer NMD heatmap, mean |NMD| and largest |r| by layer
 * beside the permutation threshold.
 */
import { sortedRowsBySite } from '@memgen/analysis';
import { barChart, heatmap, type Row } from '@memgen/report';
import { type Figure, type FigureIndex, fig, readable, siteLabel } from '../common/figures.js';
import { section, table } from '../common/markdown.js';
import { num, pct, pValue } from '../common/verdicts.js';
import type { NoiseSummary, StatsResult } from './stage.js';
import type { StudyStatistics } from './stats-file.js';

/** What the report reads of the stats stage: its record's summary and stats.safetensors. */
export interface StatsArtefacts {
  summary: StatsResult;
  file: StudyStatistics;
}

/** The noise-level sentence for max |r| (docs/method.md §5). */
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

export function differentiationSection(s: StatsResult | null, figs: FigureIndex): string {
  const title = 'Differentiation (docs/method.md §5)';
  if (!s) return section(title, 'The statistics stage has not run for this configuration.');
  const rows = s.resid.sites.map((site) => [
    siteLabel(site.site) + (s.resid.excludedSites.includes(site.site) ? ' (excluded)' : ''),
    num(site.meanAbsNmd, 4),
    num(site.meanSd, 4),
    site.meanSd > 0 ? pct(site.meanAbsNmd / site.meanSd) : '—',
    num(site.maxAbsR),
  ]);
  const top = s.resid.top.map((t) => [siteLabel(t.site), String(t.dim), num(t.r), num(t.nmd, 4)]);
  return section(
    title,
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

function nmdHeatmap(file: StudyStatistics): Figure {
  const { nmd, sites } = file.resid;
  const sorted = sortedRowsBySite(nmd);
  let max = 0;
  for (const v of sorted.values) max = Math.max(max, Math.abs(v));
  const title = 'NMD per layer (neurons sorted within each layer)';
  return {
    name: 'nmd-heatmap',
    title,
    spec: heatmap({
      title,
      rows: sites.map(siteLabel),
      cols: Array.from({ length: nmd.width }, (_, j) => String(j + 1)),
      values: sites.map((_, s) => sorted.values.subarray(s * nmd.width, (s + 1) * nmd.width)),
      rowTitle: 'layer',
      colTitle: 'neuron rank within the layer',
      colorTitle: 'NMD (mem − gen)',
      domain: [-(max || 1), max || 1],
      width: Math.min(900, Math.max(300, 4 * nmd.width)),
      height: Math.max(120, 28 * sites.length),
    }),
  };
}

function meanAbsNmd(summary: StatsResult): Figure {
  const title = 'Mean |NMD| by layer';
  return {
    name: 'mean-abs-nmd',
    title,
    spec: barChart({
      title,
      x: { field: 'layer' },
      y: { field: 'mean |NMD|' },
      data: summary.resid.sites.map((s) => ({
        layer: siteLabel(s.site),
        'mean |NMD|': s.meanAbsNmd,
      })),
    }),
  };
}

function maxAbsR(summary: StatsResult): Figure {
  const { sites, noise } = summary.resid;
  const title = 'Largest |r| by layer vs the label-permutation 95 % threshold';
  const data: Row[] = sites.flatMap((s) => [
    { layer: siteLabel(s.site), series: 'observed max |r|', value: s.maxAbsR },
    { layer: siteLabel(s.site), series: 'permutation 95 % (all layers)', value: noise.threshold95 },
  ]);
  return {
    name: 'max-abs-r',
    title,
    spec: readable(
      barChart({ title, x: 'layer', y: { field: 'value', title: '|r|' }, series: 'series', data }),
    ),
  };
}

/** The stats figures in report order; none when the stage has not run. */
export function statsFigures(stats: StatsArtefacts | null): Figure[] {
  if (!stats) return [];
  return [nmdHeatmap(stats.file), meanAbsNmd(stats.summary), maxAbsR(stats.summary)];
}
