/** Per-item behaviour labels of a decoded run and simple counts over them. */

/** The label of one decoded answer (docs/method.md §1): memorized, generalized, or anything else. */
export type BehaviourLabel = 'mem' | 'gen' | 'other';

export const BEHAVIOUR_LABELS: readonly BehaviourLabel[] = ['mem', 'gen', 'other'];

/** Throws naming the first entry of `labels` that is not 'mem' | 'gen' | 'other'. */
export function assertBehaviourLabels(labels: readonly string[], what: string): void {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label !== 'mem' && label !== 'gen' && label !== 'other') {
      throw new Error(`${what}[${i}] = ${JSON.stringify(label)}; expected 'mem', 'gen' or 'other'`);
    }
  }
}

/** How many items carry each label. */
export interface LabelCounts {
  readonly mem: number;
  readonly gen: number;
  readonly other: number;
  readonly total: number;
}

/** Counts of each label in `labels`. */
export function countLabels(labels: readonly BehaviourLabel[]): LabelCounts {
  assertBehaviourLabels(labels, 'labels');
  const counts = { mem: 0, gen: 0, other: 0 };
  for (const label of labels) counts[label]++;
  return { ...counts, total: labels.length };
}

/** Fraction of items with each label; throws on an empty list (no fraction exists). */
export function labelFractions(labels: readonly BehaviourLabel[]): Record<BehaviourLabel, number> {
  const c = countLabels(labels);
  if (c.total === 0) throw new Error('labelFractions of an empty list');
  return { mem: c.mem / c.total, gen: c.gen / c.total, other: c.other / c.total };
}

/** Fraction of positions where `predicted[i] === truth[i]`; the lists must have equal, non-zero length. */
export function accuracy<T>(predicted: ArrayLike<T>, truth: ArrayLike<T>): number {
  if (predicted.length !== truth.length) {
    throw new Error(`accuracy: ${predicted.length} predictions for ${truth.length} true values`);
  }
  if (truth.length === 0) throw new Error('accuracy of an empty list');
  let correct = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) correct++;
  return correct / truth.length;
}
