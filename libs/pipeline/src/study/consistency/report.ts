/**
 * The report's consistency section (docs/method.md §8, intra-task): Dice of the split-halves' top-N
 * masks beside random masks, and Spearman's ρ of their NMD beside random rankings.
 */
import { section, table } from '../common/markdown.js';
import { num } from '../common/verdicts.js';
import type { ConsistencyFile } from './stage.js';

export function consistencySection(c: ConsistencyFile | null): string {
  const title = 'Consistency (docs/method.md §8)';
  if (!c) return section(title, 'The consistency stage has not run for this configuration.');
  const rows = c.dice.map((d) => [
    `top ${(100 * d.topFraction).toFixed(0)} %`,
    d.meanDice === null ? '—' : `${num(d.meanDice)} ± ${num(d.sdDice)}`,
    num(d.meanExpectedRandom),
    num(d.meanRandom95),
    `${d.splitsAboveRandom95} / ${c.splits}`,
    d.meanDice !== null && d.splitsAboveRandom95 === c.splits
      ? 'above random masks'
      : 'indistinguishable from random masks',
  ]);
  return section(
    title,
    `${c.splits} random split-halves of the ${c.pairs} pairs (${c.halfSize} pairs per half). Dice overlap of the ` +
      'halves\' top-N |r| masks beside random masks of the same sizes; "above random masks" only when every split ' +
      'beats the random 95th percentile.',
    table(
      ['mask', 'Dice (mean ± sd)', 'random, expected', 'random, 95th pct', 'splits above', 'verdict'],
      rows,
    ),
    `Spearman ρ of the halves' NMD vectors: ${num(c.spearmanNmd.mean)} ± ${num(c.spearmanNmd.sd)}; with one ` +
      `half's neurons in random order it reaches ${num(c.spearmanNmd.meanNull95)} (95th percentile, mean over ` +
      `splits); ${c.spearmanNmd.splitsAboveNull95} of ${c.splits} splits exceed it — ` +
      (c.spearmanNmd.splitsAboveNull95 === c.splits
        ? 'above the random-ranking baseline.'
        : 'indistinguishable from the random-ranking baseline.') +
      ' Across seeds and tasks: `memgen compare RUN...`.',
  );
}
