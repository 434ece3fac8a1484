/** train/curve.jsonl: one evaluation a line, appended as training goes. */
import { appendFile, readFile } from 'node:fs/promises';
import { readJsonLines, writeFileAtomic } from '@memgen/common';
import type { EvalResult } from './evaluate.js';

/** One evaluation of the curve. */
export interface CurvePoint extends EvalResult {
  step: number;
  phase: string;
  /** Mean training loss over the steps since the previous evaluation. */
  loss: number;
}

export interface Curve {
  readonly points: CurvePoint[];
  append(point: CurvePoint): Promise<void>;
}

/**
 * Opens the curve keeping its first `keep` evaluations: those a resumed run's state covers (later
 * ones are recomputed identically); 0 starts it empty.
 */
export async function openCurve(path: string, keep: number): Promise<Curve> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const kept = text
    .split('\n')
    .filter((l) => l.trim())
    .slice(0, keep);
  await writeFileAtomic(path, kept.map((l) => `${l}\n`).join(''));
  const points = (await readJsonLines(path)) as CurvePoint[];
  return {
    points,
    async append(point) {
      points.push(point);
      await appendFile(path, `${JSON.stringify(point)}\n`);
    },
  };
}
