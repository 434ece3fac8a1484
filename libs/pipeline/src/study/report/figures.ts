/**
 * The report's figures (SVG + PNG under figures/): per-layer NMD heatmap, mean |NMD| and max |r|
 * by layer beside the permutation threshold, probe accuracy vs layer beside its baselines, steering
 * dose–response beside its controls (figures-steering.ts), and the training curve. Each builder returns null
 * when its data is missing, so the report can say so instead of drawing an empty chart.
 */
import { sortedRowsBySite } from '@memgen/analysis';
import { barChart, heatmap, type LineChartOptions, lineChart, type Row, renderFigure } from '@memgen/report';
import type { TopLevelSpec } from 'vega-lite';
import { doseResponseFigures } from './figures-steering.js';
import type { ReportInputs } from './inputs.js';
import { patchingFigure } from './sections-patching.js';

export interface Figure {
  /** File stem under figures/. */
  name: string;
  title: string;
  spec: TopLevelSpec;
}

/** Full legend labels (Vega truncates at 160 px) and, optionally, integer ticks on x. */
function readable(spec: TopLevelSpec, integerX = false): TopLevelSpec {
  const out = { ...spec, config: { ...(spec.config ?? {}), legend: { labelLimit: 0 } } } as Record<
    string,
    unknown
  >;
  const encoding = out.encoding as Record<string, Record<string, unknown>> | undefined;
  if (integerX && encoding?.x) {
    out.encoding = { ...encoding, x: { ...encoding.x, axis: { tickMinStep: 1, format: 'd' } } };
  }
  return out as unknown as TopLevelSpec;
}

/** "embed", "block 0", … for a site name. */
export function siteLabel(site: string): string {
  const m = /^blocks\.(\d+)\.(.+)$/.exec(site);
  if (!m) return site;
  return m[2] === 'resid_post' ? `block ${m[1]}` : `block ${m[1]} ${m[2]}`;
}

function nmdHeatmap(inp: ReportInputs): Figure | null {
  if (!inp.stats) return null;
  const { nmd, sites } = inp.stats.file.resid;
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

function meanAbsNmd(inp: ReportInputs): Figure | null {
  if (!inp.stats) return null;
  const title = 'Mean |NMD| by layer';
  return {
    name: 'mean-abs-nmd',
    title,
    spec: barChart({
      title,
      x: { field: 'layer' },
      y: { field: 'mean |NMD|' },
      data: inp.stats.summary.resid.sites.map((s) => ({
        layer: siteLabel(s.site),
        'mean |NMD|': s.meanAbsNmd,
      })),
    }),
  };
}

function maxAbsR(inp: ReportInputs): Figure | null {
  if (!inp.stats) return null;
  const { sites, noise } = inp.stats.summary.resid;
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

function probeAccuracy(inp: ReportInputs): Figure | null {
  const p = inp.probes;
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

/** A line over training steps, one line per value of `series` (when given). */
function stepFigure(
  name: string,
  title: string,
  y: LineChartOptions['y'],
  data: Record<string, unknown>[],
  series?: string,
): Figure {
  const spec = lineChart({ title, x: 'step', y, data, ...(series ? { series } : {}) });
  return { name, title, spec: readable(spec) };
}

const ACCURACY_SERIES: [string, string][] = [
  ['rule_acc', 'rule accuracy'],
  ['shortcut_baseline', 'shortcut baseline'],
  ['mem_acc', 'memorized accuracy'],
];

function trainingCurve(inp: ReportInputs): Figure[] {
  const rows = (inp.curve ?? []).filter((r) => r.step !== undefined);
  const out: Figure[] = [];
  const withLoss = rows.filter((r) => r.loss !== undefined);
  if (withLoss.length > 0) {
    const data = withLoss.map((r) => ({ step: r.step, loss: r.loss }));
    out.push(stepFigure('training-loss', 'Training loss', { field: 'loss' }, data));
  }
  const labelled = rows.filter((r) => r.gen !== undefined && r.mem !== undefined);
  if (labelled.length > 0) {
    const data = labelled.flatMap((r) =>
      (['gen', 'mem', 'other'] as const)
        .filter((k) => r[k] !== undefined)
        .map((k) => ({ step: r.step, label: k, count: r[k] })),
    );
    const title = 'Conflict-set answers during training';
    out.push(stepFigure('training-curve', title, { field: 'count', title: 'items' }, data, 'label'));
  }
  const scored = rows.filter((r) => r.rule_acc !== undefined && r.shortcut_baseline !== undefined);
  if (scored.length > 0) {
    const data = scored.flatMap((r) =>
      ACCURACY_SERIES.filter(([k]) => r[k] !== undefined).map(([k, name]) => ({
        step: r.step,
        measure: name,
        accuracy: r[k],
      })),
    );
    const title = 'Rule accuracy during training beside the answer-free shortcut baseline';
    out.push(stepFigure('training-accuracy', title, { field: 'accuracy', domain: [0, 1] }, data, 'measure'));
  }
  return out;
}

/** Every figure the inputs allow, in report order. */
export function buildFigures(inp: ReportInputs): Figure[] {
  return [
    ...trainingCurve(inp),
    nmdHeatmap(inp),
    meanAbsNmd(inp),
    maxAbsR(inp),
    probeAccuracy(inp),
    ...doseResponseFigures(inp),
    patchingFigure(inp),
  ].filter((f): f is Figure => f !== null);
}

/** Renders each figure to `<dir>/<name>.svg|png`. */
export async function renderFigures(figures: readonly Figure[], dir: string): Promise<void> {
  for (const f of figures) await renderFigure(f.spec, `${dir}/${f.name}`);
}
