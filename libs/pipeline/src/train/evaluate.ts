/** Evaluation during training: conflict-set labels, rule accuracy beside its shortcut baseline, memory. */
import { decode, type GPT } from '@memgen/model';
import type { Task, Tokenizer } from '@memgen/tasks';
import type { EvalSets } from './data.js';

export interface EvalResult {
  /** Conflict items evaluated, and how each was labelled. */
  n: number;
  gen: number;
  mem: number;
  other: number;
  /** Accuracy on held-out rule-only (balanced) items. */
  rule_acc: number;
  /** Mean over those items of the best answer-free heuristic's expected accuracy. */
  shortcut_baseline: number;
  /** Accuracy on memorized items. */
  mem_acc: number;
  /** Accuracy on fresh items of the current phase's own mix: is this phase's curriculum step learned? */
  train_acc: number;
  /** The same per item kind, when the phase's items are of more than one kind. */
  train_acc_by_kind?: Record<string, number>;
}

/** Per-kind accuracy of items judged right or wrong; undefined for a single kind. */
export function accuracyByKind(
  kinds: readonly string[],
  right: readonly boolean[],
): Record<string, number> | undefined {
  const names = [...new Set(kinds)].sort();
  if (names.length < 2) return undefined;
  return Object.fromEntries(
    names.map((k) => {
      const mine = right.filter((_, i) => kinds[i] === k);
      return [k, mine.filter(Boolean).length / mine.length];
    }),
  );
}

const CHUNK = 128;

/** Greedy/beam continuations of prompts, as text, in chunks to bound memory. */
export function continuations(
  model: GPT,
  tok: Tokenizer,
  prompts: string[],
  maxNewTokens: number,
  beamWidth = 1,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < prompts.length; i += CHUNK) {
    const ids = prompts.slice(i, i + CHUNK).map((p) => tok.encode(p));
    const res = decode(model, ids, { maxNewTokens, stopTokens: [tok.eosId], padId: tok.padId, beamWidth });
    for (const gen of res.tokens) out.push(tok.decode(gen, { continuation: true }));
  }
  return out;
}

export function evaluate(
  model: GPT,
  task: Task,
  tok: Tokenizer,
  sets: EvalSets,
  maxNewTokens: number,
  beamWidth: number,
  phaseItems: { prompt: string; answer: string; kind?: string }[],
): EvalResult {
  const labels = continuations(
    model,
    tok,
    sets.conflict.map((c) => c.prompt),
    maxNewTokens,
    beamWidth,
  ).map((out, i) => task.label(sets.conflict[i] as EvalSets['conflict'][number], out));
  const judged = (items: { prompt: string; answer: string }[]) =>
    continuations(
      model,
      tok,
      items.map((it) => it.prompt),
      maxNewTokens,
      beamWidth,
    ).map((o, i) => task.answerOf(o) === items[i]?.answer);
  const correct = (items: { prompt: string; answer: string }[]) =>
    judged(items).filter(Boolean).length / Math.max(1, items.length);
  const phaseRight = judged(phaseItems);
  const byKind = accuracyByKind(
    phaseItems.map((it) => it.kind ?? ''),
    phaseRight,
  );
  return {
    n: labels.length,
    gen: labels.filter((l) => l === 'gen').length,
    mem: labels.filter((l) => l === 'mem').length,
    other: labels.filter((l) => l === 'other').length,
    rule_acc: correct(sets.rule),
    shortcut_baseline: sets.rule.reduce((s, r) => s + r.shortcutBaseline, 0) / Math.max(1, sets.rule.length),
    mem_acc: correct(sets.memorized),
    train_acc: phaseRight.filter(Boolean).length / Math.max(1, phaseItems.length),
    ...(byKind ? { train_acc_by_kind: byKind } : {}),
  };
}
