/** The training curve as a figure: conflict-set label shares, rule accuracy and its shortcut baseline. */
import { lineChart, renderFigure } from '@memgen/report';
import type { CurvePoint } from './curve.js';

/** Writes `<outBase>.svg` and `<outBase>.png`. */
export async function plotCurve(curve: CurvePoint[], outBase: string, margin: number): Promise<void> {
  const rows = curve.flatMap((p) => [
    { step: p.step, value: p.gen / Math.max(1, p.n), series: 'gen share (conflict set)' },
    { step: p.step, value: p.mem / Math.max(1, p.n), series: 'mem share (conflict set)' },
    { step: p.step, value: p.other / Math.max(1, p.n), series: 'other share (conflict set)' },
    { step: p.step, value: p.rule_acc, series: 'rule accuracy (balanced, held out)' },
    { step: p.step, value: p.shortcut_baseline, series: 'shortcut baseline' },
    { step: p.step, value: Math.min(1, p.shortcut_baseline + margin), series: 'selection threshold' },
    { step: p.step, value: p.mem_acc, series: 'memorized-item accuracy' },
    { step: p.step, value: p.train_acc, series: "accuracy on the phase's own items" },
  ]);
  await renderFigure(
    lineChart({
      title: 'Training: behaviour on the conflict set and rule skill',
      x: { field: 'step', title: 'training step' },
      y: { field: 'value', title: 'fraction', domain: [0, 1] },
      series: { field: 'series', title: '' },
      data: rows,
      width: 640,
      height: 320,
    }),
    outBase,
  );
}
