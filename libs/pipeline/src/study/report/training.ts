/**
 * The report's training section and figures: the kept checkpoint, the last curve point, and the
 * loss, answer and accuracy curves. The trainer is no study stage (../../train), so what the report
 * shows of it lives here, beside the report's inputs.
 */
import { type LineChartOptions, lineChart } from '@memgen/report';
import { type Figure, type FigureIndex, fig, readable } from '../common/figures.js';
import { section } from '../common/markdown.js';
import type { ReportInputs } from './inputs.js';

function checkpointNote(inp: ReportInputs): string | null {
  const t = inp.train;
  if (!t) return null;
  if (t.qualified) {
    return (
      `Checkpoint: step ${t.selectedStep} of ${t.steps}, the evaluation with the most balanced gen × mem among ` +
      "those whose rule accuracy beat the answer-free shortcut baseline by the trainer's margin."
    );
  }
  return (
    `**Checkpoint not qualified:** no evaluation's rule accuracy beat the answer-free shortcut baseline by the ` +
    `trainer's margin, so checkpoint/ holds the last weights (step ${t.selectedStep}). This model's "gen" answers ` +
    'can be shortcut guesses (docs/method.md §3): what follows describes a model without demonstrated rule skill.'
  );
}

export function trainingSection(inp: ReportInputs, figs: FigureIndex): string {
  if (!inp.curve || inp.curve.length === 0) {
    return section(
      'Training',
      checkpointNote(inp),
      `No training curve in this run directory (\`train/curve.jsonl\` is absent).`,
    );
  }
  const last = inp.curve[inp.curve.length - 1]!;
  const fields = Object.entries(last)
    .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`)
    .join(', ');
  return section(
    'Training',
    checkpointNote(inp),
    `${inp.curve.length} curve points; last: ${fields}.`,
    fig(figs, 'training-loss'),
    fig(figs, 'training-curve'),
    fig(figs, 'training-accuracy'),
  );
}

/** A line over training steps, one line per value of `series` (when given). */
function stepFigure(
  name: string,
  title: string,
  y: LineChartOptions['y'],
  data: Record<string, unknown>[],
  series?: string,
): Figure {
  const spec = lineChart({ title, x: 'step', y, data, ...(series ? { series } : {}) });
  return { name, title, spec: readable(spec) };
}

const ACCURACY_SERIES: [string, string][] = [
  ['rule_acc', 'rule accuracy'],
  ['shortcut_baseline', 'shortcut baseline'],
  ['mem_acc', 'memorized accuracy'],
];

/** The training figures the curve allows: loss, conflict-set answers, accuracy beside the baseline. */
export function trainingFigures(inp: ReportInputs): Figure[] {
  const rows = (inp.curve ?? []).filter((r) => r.step !== undefined);
  const out: Figure[] = [];
  const withLoss = rows.filter((r) => r.loss !== undefined);
  if (withLoss.length > 0) {
    const data = withLoss.map((r) => ({ step: r.step, loss: r.loss }));
    out.push(stepFigure('training-loss', 'Training loss', { field: 'loss' }, data));
  }
  const labelled = rows.filter((r) => r.gen !== undefined && r.mem !== undefined);
  if (labelled.length > 0) {
    const data = labelled.flatMap((r) =>
      (['gen', 'mem', 'other'] as const)
        .filter((k) => r[k] !== undefined)
        .map((k) => ({ step: r.step, label: k, count: r[k] })),
    );
    const title = 'Conflict-set answers during training';
    out.push(stepFigure('training-curve', title, { field: 'count', title: 'items' }, data, 'label'));
  }
  const scored = rows.filter((r) => r.rule_acc !== undefined && r.shortcut_baseline !== undefined);
  if (scored.length > 0) {
    const data = scored.flatMap((r) =>
      ACCURACY_SERIES.filter(([k]) => r[k] !== undefined).map(([k, name]) => ({
        step: r.step,
        measure: name,
        accuracy: r[k],
      })),
    );
    const title = 'Rule accuracy during training beside the answer-free shortcut baseline';
    out.push(stepFigure('training-accuracy', title, { field: 'accuracy', domain: [0, 1] }, data, 'measure'));
  }
  return out;
}
