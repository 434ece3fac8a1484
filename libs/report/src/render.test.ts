import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import type { TopLevelSpec } from 'vega-lite';
import { describe, expect, it, onTestFinished } from 'vitest';
import { barChart } from './bar-chart.js';
import { resvgFontOptions } from './fonts.js';
import { heatmap } from './heatmap.js';
import { lineChart } from './line-chart.js';
import { renderFigure, renderSvg, svgToPng } from './render.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width and height from the PNG's IHDR chunk (big-endian, right after the signature). */
function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  expect(String.fromCharCode(...png.subarray(12, 16))).toBe('IHDR');
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Width and height attributes of the root <svg>. */
function svgSize(svg: string): { width: number; height: number } {
  const m = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg);
  expect(m).not.toBeNull();
  return { width: Number(m![1]), height: Number(m![2]) };
}

type Titled = { field: string; title: string };

/** A chart and the texts its SVG must show: its four titles and one entry of its legend. */
function titledChart<O extends { title: string; x: Titled; y: Titled; series: Titled }>(
  build: (options: O) => TopLevelSpec,
  legendEntry: string,
  options: O,
) {
  const { title, x, y, series } = options;
  return { spec: build(options), texts: [title, x.title, y.title, series.title, legendEntry] };
}

const figures = {
  line: titledChart(lineChart, 'memorize', {
    title: 'Accuracy over training',
    x: { field: 'step', title: 'Training step' },
    y: { field: 'acc', title: 'Exact-match accuracy' },
    series: { field: 'mode', title: 'Mode' },
    data: [0, 1, 2, 3].flatMap((s) => [
      { step: s * 100, acc: s / 4, mode: 'reason' },
      { step: s * 100, acc: 1 - 0.5 ** s, mode: 'memorize' },
    ]),
  }),
  bar: titledChart(barChart, 'steered', {
    title: 'Accuracy by task',
    x: { field: 'task', title: 'Task' },
    y: { field: 'acc', title: 'Accuracy' },
    series: { field: 'model', title: 'Model' },
    error: 'sd',
    data: [
      { task: 'add', model: 'base', acc: 0.8, sd: 0.05 },
      { task: 'add', model: 'steered', acc: 0.9, sd: 0.02 },
      { task: 'mul', model: 'base', acc: 0.4, sd: 0.1 },
    ],
  }),
  heatmap: {
    spec: heatmap({
      title: 'Neuron scores & layers',
      rows: ['L0', 'L1'],
      cols: ['n0', 'n1', 'n2'],
      values: [
        [1, 0.5, -0.2],
        [0.1, -1, 0.3],
      ],
      domain: [-1, 1],
      rowTitle: 'Layer',
      colTitle: 'Neuron',
      colorTitle: 'Score',
    }),
    texts: ['Neuron scores &amp; layers', 'Layer', 'Neuron', 'Score', 'L1', 'n2'],
  },
};

/** A fresh directory for one test, removed when the test finishes. */
async function testDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'memgen-report-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('renderFigure', () => {
  it.each(Object.entries(figures))(
    'writes the %s figure as SVG with its texts and a PNG twice its size',
    async (name, fig) => {
      const dir = await testDir();
      const { svgPath, pngPath } = await renderFigure(fig.spec, join(dir, 'nested', name));
      expect(svgPath).toBe(join(dir, 'nested', `${name}.svg`));
      expect(pngPath).toBe(join(dir, 'nested', `${name}.png`));
      const svg = await readFile(svgPath, 'utf8');
      for (const text of fig.texts) expect(svg, text).toContain(`>${text}</text>`);
      const png = new Uint8Array(await readFile(pngPath));
      expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
      const { width, height } = svgSize(svg);
      expect(width).toBeGreaterThan(300);
      expect(pngSize(png)).toEqual({ width: 2 * width, height: 2 * height });
    },
  );

  it.each(Object.entries(figures))(
    'renders the %s figure to the same bytes every time in one process, concurrently too',
    async (_name, fig) => {
      const first = await renderSvg(fig.spec);
      const [again, alongside] = await Promise.all([renderSvg(fig.spec), renderSvg(fig.spec)]);
      expect(again).toBe(first);
      expect(alongside).toBe(first);
    },
  );

  it('honours the scale option', async () => {
    const svg = await renderSvg(figures.line.spec);
    const { width, height } = svgSize(svg);
    expect(pngSize(svgToPng(svg, 1))).toEqual({ width, height });
    expect(() => svgToPng(svg, 0)).toThrow(/scale must be > 0/);
  });
});

describe('fonts', () => {
  it('draw text: a text-only SVG rasterises to dark pixels', () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="30">' +
      '<text x="5" y="22" font-family="sans-serif" font-size="20">Layer 7</text></svg>';
    const pixels = new Resvg(svg, { font: resvgFontOptions(), background: 'white' }).render().pixels;
    let dark = 0;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i]! < 128) dark++;
    expect(dark).toBeGreaterThan(100);
  });
});
