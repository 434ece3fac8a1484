/**
 * The numbers the report puts ours beside (SPEC §9): the paper's (arXiv 2412.18497) and what our
 * PyTorch prototype reached at tiny scale (RECIPE.md). Text, not fitted values: they are quoted.
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
  /** The prototype's column (color 1-hop, 111 k parameters, shortcut "gen" answers). */
  prototype: {
    flipRate: string;
    memToGen: string;
    genToMem: string;
    random: string;
    meanAbsNmd: string;
    probe: string;
  };
}

const PROTOTYPE = {
  flipRate: '2.9 % (color); no gen answers (addition)',
  memToGen: '≤ 2.4 % (α ≤ 5), = random',
  genToMem: '≤ 2.4 % (α ≤ 5); 14.6 % vs 0 % random at α = 20',
  random: 'same as targeted at α ≤ 5',
  meanAbsNmd: '0 / 0.012 / 0.014, |r| at noise level',
  probe: 'raw 0.50–0.52; within-pair-centred 0.65–0.68',
};

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
    prototype: PROTOTYPE,
  };
}
