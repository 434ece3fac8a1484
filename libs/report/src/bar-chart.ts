import type { TopLevelSpec } from 'vega-lite';
import { chartHead, checkRows, encodeField, escapeField, type XYChartOptions } from './fields.js';

/**
 * `x` is a category (nominal by default; bars keep the data's order), `y` the bar height, and
 * `series` splits each category into side-by-side bars.
 */
export interface BarChartOptions extends XYChartOptions {
  /** Field holding a ± half-width drawn as an error bar around y (e.g. std over seeds). */
  error?: string;
}

/** Bars of `y` per category `x`, grouped by `series`, with optional ± `error` bars. */
export function barChart(options: BarChartOptions): TopLevelSpec {
  const { title, x, y, series, error, data } = options;
  checkRows('barChart', data, [x, y, series, error], error === undefined ? [y] : [y, error]);
  const xChannel = { ...encodeField(x, 'nominal'), sort: null };
  const shared: Record<string, unknown> = { x: xChannel };
  if (series !== undefined) {
    shared.xOffset = { ...encodeField(series, 'nominal'), sort: null };
    shared.color = encodeField(series, 'nominal');
  }
  const bars = { mark: 'bar', encoding: { ...shared, y: encodeField(y, 'quantitative') } };
  const layer: Record<string, unknown>[] = [bars];
  if (error !== undefined) {
    layer.push({
      mark: { type: 'errorbar', ticks: true, color: 'black' },
      encoding: {
        x: xChannel,
        ...(shared.xOffset ? { xOffset: shared.xOffset } : {}),
        y: encodeField(y, 'quantitative'),
        yError: { field: escapeField(error) },
      },
    });
  }
  // Layers are assembled as plain records; the render test proves vega-lite accepts the result.
  return { ...chartHead('barChart', title, options, data), layer } as unknown as TopLevelSpec;
}
