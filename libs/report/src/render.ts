/**
 * Vega-Lite spec → SVG and PNG without a browser: vega-lite compiles to Vega, a headless Vega
 * View (renderer 'none') writes the SVG, and resvg rasterises it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { parse, resetSVGDefIds, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { resvgFontOptions } from './fonts.js';

export interface RenderOptions {
  /** PNG pixels per SVG unit (2 gives crisp figures for papers and slides). Default 2. */
  scale?: number;
}

export interface RenderedFigure {
  svgPath: string;
  pngPath: string;
}

/** The render in progress: renders run one at a time, see renderSvg. */
let rendering: Promise<unknown> = Promise.resolve();

/**
 * Renders a Vega-Lite spec to an SVG document string. Vega numbers gradient and clip ids with
 * process-wide counters, so the same figure rendered again in one process would differ in bytes
 * (and a re-run job would overwrite its artefact with different ones): the counters are reset
 * before each render, and renders are serialised so none resets another's numbering midway.
 */
export function renderSvg(spec: TopLevelSpec): Promise<string> {
  const next = rendering.then(async () => {
    resetSVGDefIds();
    const view = new View(parse(compile(spec).spec), { renderer: 'none' });
    try {
      return await view.toSVG();
    } finally {
      view.finalize();
    }
  });
  rendering = next.catch(() => undefined);
  return next;
}

/** Rasterises an SVG document to PNG bytes on a white background. */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  if (!(scale > 0 && Number.isFinite(scale))) throw new Error(`svgToPng: scale must be > 0, got ${scale}`);
  const resvg = new Resvg(svg, {
    font: resvgFontOptions(),
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
  });
  return resvg.render().asPng();
}

/**
 * Writes `<outBase>.svg` and `<outBase>.png` for a Vega-Lite spec (creating the directory) and
 * returns their paths. Inline data (`data.values`, as the builders here produce) keeps figures reproducible.
 */
export async function renderFigure(
  spec: TopLevelSpec,
  outBase: string,
  options: RenderOptions = {},
): Promise<RenderedFigure> {
  const svg = await renderSvg(spec);
  const png = svgToPng(svg, options.scale ?? 2);
  const svgPath = `${outBase}.svg`;
  const pngPath = `${outBase}.png`;
  await mkdir(dirname(svgPath), { recursive: true });
  await writeFile(svgPath, svg);
  await writeFile(pngPath, png);
  return { svgPath, pngPath };
}
