import { describe, expect, it } from 'vitest';
import { renderSvg } from './render.js';
import { scalingChart } from './scaling-chart.js';

// biome-ignore lint/suspicious/noExplicitAny: inspecting arbitrary spec JSON
type Json = any;

const points = [
  { params: 1e5, value: 0.1, series: 'targeted' },
  { params: 1e5, value: 0.2, series: 'targeted' },
  { params: 8e5, value: 0.4, series: 'targeted' },
];
const summary = [
  { params: 1e5, mean: 0.15, lower: 0.08, upper: 0.22, series: 'targeted' },
  { params: 8e5, mean: 0.4, lower: 0.4, upper: 0.4, series: 'targeted' },
];

describe('scalingChart', () => {
  it('layers seeds as dots, the means as a line and mean ± sd as bars, parameters on a log axis', () => {
    const spec: Json = scalingChart({ title: 'flip rate', yTitle: 'rate', yDomain: [0, 1], points, summary });
    expect(spec.layer.map((l: Json) => l.mark.type)).toEqual(['point', 'line', 'errorbar']);
    expect(spec.layer[0].data.values).toEqual(points);
    expect(spec.layer[2].data.values).toEqual(summary);
    for (const l of spec.layer) expect(l.encoding.x.scale).toEqual({ type: 'log' });
    expect(spec.layer[1].encoding.y.scale).toEqual({ domain: [0, 1] });
    expect(spec.layer[2].encoding.y2).toEqual({ field: 'upper' });
  });

  it('renders, and names a row whose value is not a number', async () => {
    const svg = await renderSvg(scalingChart({ title: 'flip rate', yTitle: 'rate', points, summary }));
    expect(svg).toContain('parameters');
    expect(() =>
      scalingChart({
        title: 't',
        yTitle: 'y',
        points: [{ params: 1, value: Number.NaN, series: 's' }],
        summary,
      }),
    ).toThrow(/row 0 field "value" must be a finite number/);
  });
});
