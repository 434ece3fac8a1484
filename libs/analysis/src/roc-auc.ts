/**
 * Area under the ROC curve of a score for a binary outcome, from ranks (the Mann–Whitney U over
 * n₁·n₀): the chance that a random positive scores above a random negative, ties counting half.
 * 0.5 = the score says nothing; used to ask whether an item's activation predicts its steering.
 */
import { averageRanks } from './spearman.js';

/** AUC of `scores` for `positive`; null when either class is empty. */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number | null {
  if (scores.length !== positive.length)
    throw new Error(`rocAuc: ${scores.length} scores but ${positive.length} outcomes`);
  const ranks = averageRanks(scores);
  let n1 = 0;
  let rankSum = 0;
  for (let i = 0; i < ranks.length; i++) {
    if (positive[i]) {
      n1++;
      rankSum += ranks[i]!;
    }
  }
  const n0 = ranks.length - n1;
  if (n1 === 0 || n0 === 0) return null;
  return (rankSum - (n1 * (n1 + 1)) / 2) / (n1 * n0);
}
