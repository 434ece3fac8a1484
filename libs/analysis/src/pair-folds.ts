/**
 * Cross-validation folds split by pair (docs/method.md §6): both members of a pair are always in the same
 * fold, so a probe is never tested on a story whose twin it was trained on.
 */
import type { Stream } from '@memgen/common';

/**
 * Assigns each of `pairs` pairs to one of `folds` folds: a shuffle of the pairs drawn from `stream`
 * (which advances), then pair at shuffled position p goes to fold p mod k, so fold sizes differ by at
 * most one.
 * @returns fold index per pair, `[pairs]`.
 */
export function pairFolds(pairs: number, folds: number, stream: Stream): Int32Array {
  if (!Number.isInteger(folds) || folds < 2) throw new Error(`folds must be an integer ≥ 2, got ${folds}`);
  if (!Number.isInteger(pairs) || pairs < folds) {
    throw new Error(`need at least as many pairs as folds: ${pairs} pairs for ${folds} folds`);
  }
  const order = stream.permutation(pairs);
  const foldOf = new Int32Array(pairs);
  for (let position = 0; position < pairs; position++) foldOf[order[position]!] = position % folds;
  return foldOf;
}

/** Member indices of the train and test sides of fold `fold`, given each member's pair. */
export function foldMembers(
  pairOfMember: Int32Array,
  foldOfPair: Int32Array,
  fold: number,
): { train: Int32Array; test: Int32Array } {
  const train: number[] = [];
  const test: number[] = [];
  for (let m = 0; m < pairOfMember.length; m++) {
    const pair = pairOfMember[m]!;
    const f = foldOfPair[pair];
    if (f === undefined) throw new Error(`member ${m} names pair ${pair}, which has no fold`);
    (f === fold ? test : train).push(m);
  }
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}
