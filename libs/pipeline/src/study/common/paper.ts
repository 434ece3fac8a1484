/**
 * The paper's numbers (arXiv 2412.18497) that the report and the results book put memgen's beside
 * (docs/method.md §9). Text, not fitted values: they are quoted.
 */
import type { TaskName } from '@memgen/tasks';

export interface ReferenceNumbers {
  /** Paper's flip rate per task (fraction), null where the paper gives none. */
  flipRate: number | null;
  /** Paper's ITI switch rates on the in-context (color) task; null for other tasks. */
  memToGen: number | null;
  genToMem: number | null;
  random: string;
  meanAbsNmd: string;
  probe: string;
}

export function referenceNumbers(task: TaskName): ReferenceNumbers {
  const color = task === 'color';
  return {
    flipRate: color ? 0.11 : task === 'addition' ? 0.085 : null,
    memToGen: color ? 0.837 : null,
    genToMem: color ? 0.899 : null,
    random: 'negligible',
    meanAbsNmd:
      task === 'addition'
        ? '≈ 0 early, growing with depth; last layer large'
        : '≈ 0 early, growing with depth',
    probe: '"> 92 %" (unverified)',
  };
}
