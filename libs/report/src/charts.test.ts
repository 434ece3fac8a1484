import { describe, expect, it } from 'vitest';
import { barChart } from './bar-chart.js';
import { heatmap } from './heatmap.js';
import { lineChart } from './line-chart.js';

// The builders return plain Vega-Lite objects; these tests read them as such.
// biome-ignore lint/suspicious/noExplicitAny: inspecting arbitrary spec JSON
type Json = any;

describe('lineChart', () => {
  const data = [
    { step: 0, loss: 2.5, run: 'a' },
    { step: 1, loss: null, run: 'a' },
    { step: 0, loss: 2.4, run: 'b' },
  ];

  it('encodes x, y and series with titles, scales and inline data', () => {
    const spec: Json = lineChart({
      title: 'Loss',
      x: { field: 'step', title: 'Step' },
      y: { field: 'loss', title: 'Loss', scale: 'log', domain: [0.1, 10] },
      series: 'run',
      data,
      width: 300,
    });
    expect(spec.title).toBe('Loss');
    expect(spec.width).toBe(300);
    expect(spec.height).toBe(250);
    expect(spec.data.values).toEqual(data);
    expect(spec.encoding.x).toEqual({ field: 'step', type: 'quantitative', title: 'Step' });
    expect(spec.encoding.y.scale).toEqual({ type: 'log', domain: [0.1, 10] });
    expect(spec.encoding.color).toEqual({ field: 'run', type: 'nominal', title: 'run' });
    expect(spec.mark).toEqual({ type: 'line', point: true });
  });

  it('escapes dots and brackets so field names are literal keys', () => {
    const spec: Json = lineChart({ title: 't', x: 'a.b', y: 'c[0]', data: [{ 'a.b': 1, 'c[0]': 2 }] });
    expect(spec.encoding.x.field).toBe('a\\.b');
    expect(spec.encoding.y.field).toBe('c\\[0\\]');
    expect(spec.encoding.x.title).toBe('a.b');
  });

  it('names the row and field that would otherwise draw nothing', () => {
    expect(() => lineChart({ title: 't', x: 'step', y: 'los', data })).toThrow(
      /lineChart: row 0 has no field "los"/,
    );
    expect(() =>
      lineChart({ title: 't', x: 'step', y: 'loss', data: [{ step: 0, loss: Number.NaN }] }),
    ).toThrow(/row 0 field "loss" must be a finite number or null, got NaN/);
    expect(() => lineChart({ title: 't', x: 'step', y: 'loss', data, height: 0 })).toThrow(
      /height must be in/,
    );
  });

  it('allows non-numeric x when its type says so', () => {
    const spec: Json = lineChart({
      title: 't',
      x: { field: 'd', type: 'ordinal' },
      y: 'v',
      data: [{ d: 'mon', v: 1 }],
    });
    expect(spec.encoding.x.type).toBe('ordinal');
  });
});

describe('barChart', () => {
  const data = [
    { task: 'mul', model: 'base', acc: 0.4, sd: 0.1 },
    { task: 'add', model: 'base', acc: 0.8, sd: 0.05 },
  ];

  it('keeps category order, groups by series and layers error bars', () => {
    const spec: Json = barChart({ title: 'Acc', x: 'task', y: 'acc', series: 'model', error: 'sd', data });
    expect(spec.layer).toHaveLength(2);
    const [bars, errors] = spec.layer;
    expect(bars.mark).toBe('bar');
    expect(bars.encoding.x.sort).toBeNull();
    expect(bars.encoding.xOffset.field).toBe('model');
    expect(bars.encoding.color.field).toBe('model');
    expect(errors.mark.type).toBe('errorbar');
    expect(errors.encoding.yError).toEqual({ field: 'sd' });
    expect(errors.encoding.xOffset.field).toBe('model');
  });

  it('has a single layer without error bars and rejects a non-numeric error', () => {
    const spec: Json = barChart({ title: 'Acc', x: 'task', y: 'acc', data });
    expect(spec.layer).toHaveLength(1);
    expect(spec.layer[0].encoding.xOffset).toBeUndefined();
    expect(() =>
      barChart({ title: 'Acc', x: 'task', y: 'acc', error: 'sd', data: [{ task: 'a', acc: 1, sd: '0.1' }] }),
    ).toThrow(/row 0 field "sd" must be a finite number/);
  });
});

describe('heatmap', () => {
  it('emits one cell per value, in the given row and column order', () => {
    const spec: Json = heatmap({
      title: 'H',
      rows: ['L1', 'L0'],
      cols: ['b', 'a', 'c'],
      values: [new Float32Array([1, 2, 3]), [4, 5, 6]],
    });
    expect(spec.data.values).toHaveLength(6);
    expect(spec.data.values[4]).toEqual({ row: 'L0', col: 'a', value: 5 });
    expect(spec.encoding.x.sort).toEqual(['b', 'a', 'c']);
    expect(spec.encoding.y.sort).toEqual(['L1', 'L0']);
    expect(spec.encoding.color.scale).toEqual({ scheme: 'viridis' });
  });

  it('uses a diverging scheme for a domain across zero', () => {
    const spec: Json = heatmap({ title: 'H', rows: ['r'], cols: ['c'], values: [[0]], domain: [-1, 1] });
    expect(spec.encoding.color.scale).toEqual({ scheme: 'redblue', domain: [-1, 1] });
  });

  it('rejects mismatched sizes, duplicate labels and non-finite values', () => {
    const base = { title: 'H', rows: ['a', 'b'], cols: ['x'] };
    expect(() => heatmap({ ...base, values: [[1]] })).toThrow(/values has 1 rows, expected 2/);
    expect(() => heatmap({ ...base, values: [[1], [2, 3]] })).toThrow(
      /values row 1 has 2 entries, expected 1/,
    );
    expect(() => heatmap({ ...base, rows: ['a', 'a'], values: [[1], [2]] })).toThrow(
      /rows labels must be distinct/,
    );
    expect(() => heatmap({ ...base, values: [[1], [Number.NaN]] })).toThrow(/values\[1\]\[0\] is NaN/);
    expect(() => heatmap({ ...base, cols: [], values: [[], []] })).toThrow(/cols is empty/);
  });
});
