/**
 * Dataset statistics for `memgen data stats`: trigger rate, answer distribution and lengths in
 * tokens, for training-style records (`prompt`, `target`) or conflict-style records (`prompt`,
 * `gen_target`, `mem_target`, …; pair lines count as two conflict records).
 */
import { z } from 'zod';
import type { Task } from './types.js';

const TrainRecord = z.object({ prompt: z.string(), target: z.string(), kind: z.string().optional() });
const ConflictRecord = z.object({
  prompt: z.string(),
  gen_target: z.string(),
  mem_target: z.string(),
  gen_answer: z.string(),
  mem_answer: z.string(),
});
const PairRecord = z.object({ original: ConflictRecord, variant: ConflictRecord });

/** min / mean / percentiles / max of a list of counts. */
export interface Summary {
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly max: number;
}

export interface DataStats {
  readonly records: number;
  readonly shape: 'train' | 'conflict';
  /** Train records with a `kind`: count per kind. */
  readonly kinds: Record<string, number>;
  /** Share of prompts that carry a trigger (memorized pair / suffix / name). */
  readonly triggerRate: number;
  /** Train: share whose target is the memorized answer (always 0 for conflict records). */
  readonly memTargetRate: number;
  /** Answer counts, most frequent first (train: the target's answer; conflict: gen and mem). */
  readonly answers: Record<string, { readonly distinct: number; readonly top: [string, number][] }>;
  /** Lengths in tokens of each text field, and of the whole sequence (prompt + target + EOS). */
  readonly tokens: Record<string, Summary>;
}

function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { min: 0, mean: 0, p50: 0, p90: 0, max: 0 };
  const sorted = values.slice().sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return {
    min: sorted[0] as number,
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    p50: at(0.5),
    p90: at(0.9),
    max: sorted[sorted.length - 1] as number,
  };
}

function histogram(values: readonly string[], top: number) {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return { distinct: counts.size, top: sorted.slice(0, top) };
}

type Count = (text: string) => number;

const lineError = (i: number, err: z.ZodError) =>
  new Error(
    `stats: record ${i + 1}: ${err.issues.map((x) => `${x.path.join('.') || '(root)'}: ${x.message}`).join('; ')}`,
  );

/** Statistics of conflict records (single items or original/variant pairs). */
function conflictStats(task: Task, records: readonly unknown[], count: Count, topAnswers: number): DataStats {
  const items = records.flatMap((r, i) => {
    const pair = PairRecord.safeParse(r);
    if (pair.success) return [pair.data.original, pair.data.variant];
    const one = ConflictRecord.safeParse(r);
    if (!one.success) throw lineError(i, one.error);
    return [one.data];
  });
  return {
    records: items.length,
    shape: 'conflict',
    kinds: {},
    triggerRate: items.filter((c) => task.inspect(c.prompt).triggered).length / items.length,
    memTargetRate: 0,
    answers: {
      gen: histogram(
        items.map((c) => c.gen_answer),
        topAnswers,
      ),
      mem: histogram(
        items.map((c) => c.mem_answer),
        topAnswers,
      ),
    },
    tokens: {
      prompt: summarize(items.map((c) => count(c.prompt))),
      gen_target: summarize(items.map((c) => count(c.gen_target))),
      mem_target: summarize(items.map((c) => count(c.mem_target))),
      gen_sequence: summarize(items.map((c) => count(c.prompt) + count(c.gen_target) + 1)),
    },
  };
}

/** Statistics of training records. */
function trainStats(task: Task, records: readonly unknown[], count: Count, topAnswers: number): DataStats {
  const items = records.map((r, i) => {
    const one = TrainRecord.safeParse(r);
    if (!one.success) throw lineError(i, one.error);
    return one.data;
  });
  const kinds: Record<string, number> = {};
  let triggered = 0;
  let memTargets = 0;
  const answers: string[] = [];
  for (const item of items) {
    if (item.kind !== undefined) kinds[item.kind] = (kinds[item.kind] ?? 0) + 1;
    const seen = task.inspect(item.prompt);
    const answer = task.answerOf(item.target);
    answers.push(answer);
    if (seen.triggered) triggered++;
    if (seen.memAnswer !== null && answer === seen.memAnswer) memTargets++;
  }
  return {
    records: items.length,
    shape: 'train',
    kinds,
    triggerRate: triggered / items.length,
    memTargetRate: memTargets / items.length,
    answers: { target: histogram(answers, topAnswers) },
    tokens: {
      prompt: summarize(items.map((c) => count(c.prompt))),
      target: summarize(items.map((c) => count(c.target))),
      sequence: summarize(items.map((c) => count(c.prompt) + count(c.target) + 1)),
    },
  };
}

/** Statistics of `records` (all of one shape) under `task`'s config and tokenizer. */
export function computeStats(task: Task, records: readonly unknown[], topAnswers = 20): DataStats {
  if (records.length === 0) throw new Error('stats: no records');
  const tok = task.tokenizer();
  const count = (text: string) => tok.encode(text).length;
  const first = records[0] as Record<string, unknown>;
  const isConflict = 'gen_target' in first || 'original' in first;
  return (isConflict ? conflictStats : trainStats)(task, records, count, topAnswers);
}
