import type { TopLevelSpec } from 'vega-lite';
import {
  chartHead,
  checkRows,
  encodeField,
  escapeField,
  type FieldRef,
  fieldSpec,
  type XYChartOptions,
} from './fields.js';

/** `x` is quantitative by default (e.g. training step); each `series` is a line. */
export interface LineChartOptions extends XYChartOptions {
  /** Draw a dot at each datum (default: true when there are at most 50 rows). */
  points?: boolean;
  /** Fields of each row's interval, drawn as an error bar in the row's colour (rows with null: none). */
  interval?: { lower: FieldRef; upper: FieldRef };
  /** Field whose values choose the dash pattern (e.g. targeted solid, controls dashed); no legend. */
  dash?: FieldRef;
}

/**
 * A line per series of `y` against `x`; rows with y = null leave a gap. With `interval`, the lines
 * and their error bars are two layers over the same data and encodings.
 */
export function lineChart(options: LineChartOptions): TopLevelSpec {
  const { title, x, y, series, data, interval, dash } = options;
  const bounds = interval ? [interval.lower, interval.upper] : [];
  checkRows('lineChart', data, [x, y, series, dash, ...bounds], [x, y, ...bounds]);
  const encoding: Record<string, unknown> = {
    x: encodeField(x, 'quantitative'),
    y: encodeField(y, 'quantitative'),
  };
  if (series !== undefined) encoding.color = encodeField(series, 'nominal');
  if (dash !== undefined) encoding.strokeDash = { ...encodeField(dash, 'nominal'), legend: null };
  const line = { mark: { type: 'line', point: options.points ?? data.length <= 50 } };
  const head = chartHead('lineChart', title, options, data);
  if (!interval) return { ...head, ...line, encoding } as TopLevelSpec;
  const { strokeDash: _dash, ...barEncoding } = encoding;
  const bars = {
    mark: { type: 'errorbar', ticks: true },
    encoding: {
      ...barEncoding,
      y: encodeField(interval.lower, 'quantitative'),
      y2: { field: escapeField(fieldSpec(interval.upper).field) },
    },
  };
  return { ...head, encoding, layer: [line, bars] } as TopLevelSpec;
}
