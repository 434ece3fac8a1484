/**
 * Whole splits from a seed, as plain records (one JSONL line each): what `memgen data` writes.
 * Each split draws from its own named stream, so the same (task, config, split, seed, n) always
 * gives the same bytes and a larger n extends a smaller one.
 */
import { makeRng } from './rng.js';
import type { ConflictItem, Task } from './types.js';

export const SPLITS = ['train', 'conflict', 'pairs', 'rule', 'memorized'] as const;
export type SplitName = (typeof SPLITS)[number];

/** A pair line: a conflict item and its variant. */
export interface PairRecord {
  readonly original: ConflictItem;
  readonly variant: ConflictItem;
}

export interface SplitResult {
  readonly records: readonly object[];
  /** Pairs split only: variants that came out identical to their original, skipped. */
  readonly identicalSkipped: number;
}

/**
 * `n` records of `split`:
 * - `train`: `{prompt, target, kind, answer}`, kinds drawn from the config's mix;
 * - `conflict`: `{prompt, gen_target, mem_target, gen_answer, mem_answer}`;
 * - `pairs`: `{original, variant}` — n non-identical pairs; identical variants are skipped and
 *   counted in `identicalSkipped`;
 * - `rule`: `{prompt, target, answer, shortcut_baseline, heuristics}` (held-out rule-only items);
 * - `memorized`: `{prompt, target, answer}`.
 */
export function generateSplit(task: Task, split: SplitName, seed: number, n: number): SplitResult {
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`generateSplit: n must be a non-negative integer, got ${n}`);
  const rng = makeRng(seed, `data:${task.name}:${split}`);
  const records: object[] = [];
  let identicalSkipped = 0;
  switch (split) {
    case 'train':
      for (let i = 0; i < n; i++) {
        const { prompt, target, kind, answer } = task.sampleTrain(rng);
        records.push({ prompt, target, kind, answer });
      }
      break;
    case 'conflict':
      for (let i = 0; i < n; i++) records.push(conflictRecord(task.conflict(rng)));
      break;
    case 'pairs': {
      const maxAttempts = 20 * n + 1000;
      for (let attempts = 0; records.length < n; attempts++) {
        if (attempts >= maxAttempts) {
          throw new Error(
            `pairs: ${identicalSkipped} of ${attempts} variants were identical; cannot make ${n} pairs`,
          );
        }
        const original = task.conflict(rng);
        const variant = task.variant(original, rng);
        if (variant === null) identicalSkipped++;
        else records.push({ original: conflictRecord(original), variant: conflictRecord(variant) });
      }
      break;
    }
    case 'rule':
      for (let i = 0; i < n; i++) {
        const r = task.ruleItem(rng);
        records.push({
          prompt: r.prompt,
          target: r.target,
          answer: r.answer,
          shortcut_baseline: r.shortcutBaseline,
          heuristics: r.heuristics,
        });
      }
      break;
    case 'memorized':
      for (let i = 0; i < n; i++) {
        const { prompt, target, answer } = task.memorizedItem(rng);
        records.push({ prompt, target, answer });
      }
      break;
    default:
      throw new Error(`unknown split ${JSON.stringify(split)} (known: ${SPLITS.join(', ')})`);
  }
  return { records, identicalSkipped };
}

/** The five conflict fields in a fixed key order (so files are byte-stable). */
export function conflictRecord(c: ConflictItem): ConflictItem {
  return {
    prompt: c.prompt,
    gen_target: c.gen_target,
    mem_target: c.mem_target,
    gen_answer: c.gen_answer,
    mem_answer: c.mem_answer,
  };
}

/** Records as JSONL text (one JSON object per line, final newline). */
export function toJsonl(records: readonly object[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}
