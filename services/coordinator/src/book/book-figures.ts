/**
 * The book's figures per group, over its qualified seeds: the patching map (mean switch rate per
 * component × block, both directions) and the dose–response of the primary setting's family
 * (targeted beside the matched control, mean ± sd over seeds, capability on the same axis).
 */
import { patchingMapRows } from '@memgen/pipeline';
import { heatmap, lineChart, type Row } from '@memgen/report';
import type { TopLevelSpec } from 'vega-lite';
import { summarise } from '../results.js';
import type { BookGroup } from './book-groups.js';
import type { BookPatchSite, BookRun } from './book-runs.js';

export interface BookFigure {
  name: string;
  spec: TopLevelSpec;
}

const DIRECTIONS = [
  ['M→G', 'mem_to_gen'],
  ['G→M', 'gen_to_mem'],
] as const;

function patchingMap(g: BookGroup, runs: readonly BookRun[]): BookFigure | null {
  const maps = runs.filter((r) => r.qualified === true && r.patching !== null).map((r) => r.patching!.sites);
  if (maps.length === 0) return null;
  const layers = Math.max(...maps[0]!.map((s) => s.layer ?? 0)) + 1;
  const blocks = Array.from({ length: layers }, (_, i) => i);
  const rows = patchingMapRows(maps[0]!);
  const mean = (layer: number, pick: (s: BookPatchSite) => boolean, key: 'mem_to_gen' | 'gen_to_mem') =>
    summarise(maps.map((m) => m.find((s) => s.layer === layer && pick(s))?.[key] ?? null)).mean ?? 0;
  const title = `${g.key}: patching map, mean switch rate over ${maps.length} qualified seed(s)`;
  const spec = heatmap({
    title,
    rows: rows.map((r) => r.label),
    cols: DIRECTIONS.flatMap(([label]) => blocks.map((i) => `${label} block ${i}`)),
    values: rows.map(({ pick }) => DIRECTIONS.flatMap(([, key]) => blocks.map((i) => mean(i, pick, key)))),
    rowTitle: 'site',
    colTitle: 'direction, block',
    colorTitle: 'switch rate',
    domain: [0, 1],
    width: Math.max(300, 60 * 2 * layers),
    height: Math.max(120, 26 * rows.length),
  });
  return { name: `${g.key}-patching`, spec };
}

const DOSE_SERIES = [
  ['Mem→Gen targeted', 'mem_to_gen', 'targeted'],
  ['Mem→Gen matched control', 'mem_to_gen_control', 'control'],
  ['Gen→Mem targeted', 'gen_to_mem', 'targeted'],
  ['Gen→Mem matched control', 'gen_to_mem_control', 'control'],
  ['capability (targeted)', 'capability', 'side effect'],
] as const;

function doseResponse(g: BookGroup, runs: readonly BookRun[]): BookFigure | null {
  const qualified = runs.filter((r) => r.qualified === true);
  const family = qualified.flatMap((r) => r.steering).find((s) => s.id === g.primary)?.family;
  if (family === undefined || family === null) return null;
  const settings = qualified.map((r) => r.steering.filter((s) => s.family === family && s.alpha !== null));
  const alphas = [...new Set(settings.flat().map((s) => s.alpha!))].sort((a, b) => a - b);
  const data: Row[] = alphas.flatMap((alpha) =>
    DOSE_SERIES.flatMap(([series, key, role]) => {
      const s = summarise(settings.map((xs) => xs.find((x) => x.alpha === alpha)?.[key] ?? null));
      if (s.mean === null) return [];
      const sd = s.sd ?? 0;
      return [
        {
          alpha,
          series,
          role,
          rate: s.mean,
          lower: Math.max(0, s.mean - sd),
          upper: Math.min(1, s.mean + sd),
        },
      ];
    }),
  );
  if (data.length === 0) return null;
  const title = `${g.key}: dose–response of the primary family (mean ± sd over ${qualified.length} qualified seed(s))`;
  const spec = lineChart({
    title,
    x: {
      field: 'alpha',
      title: 'α',
      ...(alphas.every((a) => a > 0) && alphas.length > 1 ? { scale: 'log' as const } : {}),
    },
    y: { field: 'rate', title: 'fraction of items', domain: [0, 1] },
    series: 'series',
    dash: 'role',
    interval: { lower: 'lower', upper: 'upper' },
    data,
  });
  return { name: `${g.key}-dose`, spec: { ...spec, config: { legend: { labelLimit: 0 } } } as TopLevelSpec };
}

export function groupFigures(g: BookGroup, runs: readonly BookRun[]): BookFigure[] {
  return [patchingMap(g, runs), doseResponse(g, runs)].filter((f): f is BookFigure => f !== null);
}
