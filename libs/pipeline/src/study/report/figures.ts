/**
 * The report's figures (SVG + PNG under figures/), gathered from the sections that show them:
 * the training curves (./training.ts), the statistics' NMD heatmap, mean |NMD| and max |r| by layer
 * (stats/report.ts), probe accuracy by layer (probes/report.ts), the steering dose–response figures
 * (steer/report/figures.ts) and the patching map (patching/report.ts). Each builder leaves out a
 * figure whose data is missing, so the report can say so instead of drawing an empty chart.
 */
import { renderFigure } from '@memgen/report';
import type { Figure } from '../common/figures.js';
import { patchingFigure } from '../patching/report.js';
import { probeAccuracyFigure } from '../probes/report.js';
import { statsFigures } from '../stats/report.js';
import { doseResponseFigures } from '../steer/report/figures.js';
import type { ReportInputs } from './inputs.js';
import { trainingFigures } from './training.js';

/** Every figure the inputs allow, in report order. */
export function buildFigures(inp: ReportInputs): Figure[] {
  return [
    ...trainingFigures(inp),
    ...statsFigures(inp.stats),
    probeAccuracyFigure(inp.probes),
    ...doseResponseFigures(inp.steering),
    patchingFigure(inp.patching, inp.model?.nLayer),
  ].filter((f): f is Figure => f !== null);
}

/** Renders each figure to `<dir>/<name>.svg|png`. */
export async function renderFigures(figures: readonly Figure[], dir: string): Promise<void> {
  for (const f of figures) await renderFigure(f.spec, `${dir}/${f.name}`);
}
