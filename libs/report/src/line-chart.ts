import type { TopLevelSpec } from 'vega-lite';
import {
  type ChartSize,
  chartSize,
  checkRows,
  encodeField,
  type FieldRef,
  type Row,
  SCHEMA,
} from './fields.js';

export interface LineChartOptions extends ChartSize {
  title: string;
  /** Horizontal field (quantitative by default, e.g. training step). */
  x: FieldRef;
  /** Vertical field (quantitative). */
  y: FieldRef;
  /** Field whose values split the rows into coloured lines (nominal by default). */
  series?: FieldRef;
  /** Draw a dot at each datum (default: true when there are at most 50 rows). */
  points?: boolean;
  data: readonly Row[];
}

/** A line per series of `y` against `x`; rows with y = null leave a gap. */
export function lineChart(options: LineChartOptions): TopLevelSpec {
  const { title, x, y, series, data } = options;
  checkRows('lineChart', data, [x, y, series], [x, y]);
  const encoding: Record<string, unknown> = {
    x: encodeField(x, 'quantitative'),
    y: encodeField(y, 'quantitative'),
  };
  if (series !== undefined) encoding.color = encodeField(series, 'nominal');
  return {
    $schema: SCHEMA,
    title,
    ...chartSize('lineChart', options),
    data: { values: [...data] },
    mark: { type: 'line', point: options.points ?? data.length <= 50 },
    encoding,
  } as TopLevelSpec;
}
