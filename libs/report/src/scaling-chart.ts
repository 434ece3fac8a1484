import type { TopLevelSpec } from 'vega-lite';
import { type ChartSize, chartHead, checkRows, escapeField, type Row } from './fields.js';

export interface ScalingChartOptions extends ChartSize {
  title: string;
  /** Title of the vertical axis (the quantity). */
  yTitle: string;
  /** Fixed [min, max] of the quantity (e.g. [0, 1] for rates); fitted when omitted. */
  yDomain?: [number, number];
  /** One row per seed: { params, value, series }. */
  points: readonly Row[];
  /** One row per size and series: { params, mean, lower, upper, series } (lower = upper = mean for one seed). */
  summary: readonly Row[];
}

const X = { field: 'params', type: 'quantitative', scale: { type: 'log' }, title: 'parameters' } as const;

/**
 * A quantity against model size: each seed a dot, each size's mean joined by a line with a
 * mean ± sd bar, a colour per series (e.g. targeted beside its control). Parameters on a log axis.
 */
export function scalingChart(options: ScalingChartOptions): TopLevelSpec {
  const { title, yTitle, yDomain, points, summary } = options;
  checkRows('scalingChart', points, ['params', 'value', 'series'], ['params', 'value']);
  checkRows(
    'scalingChart',
    summary,
    ['params', 'mean', 'lower', 'upper', 'series'],
    ['params', 'mean', 'lower', 'upper'],
  );
  const y = (field: string) => ({
    field: escapeField(field),
    type: 'quantitative',
    title: yTitle,
    ...(yDomain ? { scale: { domain: yDomain } } : {}),
  });
  const color = { field: 'series', type: 'nominal', title: null };
  const layer = [
    {
      data: { values: [...points] },
      mark: { type: 'point', filled: true, opacity: 0.6 },
      encoding: { x: X, y: y('value'), color },
    },
    {
      data: { values: [...summary] },
      mark: { type: 'line', point: false },
      encoding: { x: X, y: y('mean'), color },
    },
    {
      data: { values: [...summary] },
      mark: { type: 'errorbar', ticks: true },
      encoding: { x: X, y: y('lower'), y2: { field: 'upper' }, color },
    },
  ];
  return { ...chartHead('scalingChart', title, options), layer } as TopLevelSpec;
}
