/** Helpers shared by this library's tests (not exported from the package). */
import { expect, it } from 'vitest';
import type { AdditionConfig } from './addition/config.js';
import type { Rng } from './rng.js';
import { makeTask } from './task.js';
import type { ConflictItem, Label, Task } from './types.js';

/** The outputs the labeller must put under each label. */
export type LabelCases = Readonly<Partial<Record<Label, readonly string[]>>>;

/** One test per listed output: `task.label(item, output)` is the label it is listed under. */
export function itLabels(
  task: Task,
  item: Pick<ConflictItem, 'gen_answer' | 'mem_answer'>,
  cases: LabelCases,
): void {
  for (const [label, outputs] of Object.entries(cases)) {
    for (const output of outputs) {
      it(`${JSON.stringify(output)} → ${label}`, () => expect(task.label(item, output)).toBe(label));
    }
  }
}

/**
 * `count` conflict items, each followed by its variant from the same generator; `pairs` holds those
 * with a variant, `identical` counts the ones whose variant is null (nothing could change).
 */
export function sampleVariants(task: Task, rng: Rng, count: number) {
  const pairs: [original: ConflictItem, variant: ConflictItem][] = [];
  let identical = 0;
  for (let i = 0; i < count; i++) {
    const original = task.conflict(rng);
    const variant = task.variant(original, rng);
    if (variant === null) identical++;
    else pairs.push([original, variant]);
  }
  return { pairs, identical };
}

/** An addition task on addends 1..maxAddend with a single memorized pair. */
export function smallAddition(options: {
  maxAddend: number;
  memPair: [number, number];
  poolPerPattern: number;
  format?: AdditionConfig['format'];
}) {
  const { maxAddend, memPair, poolPerPattern, format } = options;
  return makeTask('addition', {
    minAddend: 1,
    maxAddend,
    memPairs: [memPair],
    triggerPoolPerPattern: poolPerPattern,
    format,
  });
}
