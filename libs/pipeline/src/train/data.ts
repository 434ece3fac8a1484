/** Training batches and the fixed evaluation sets, all drawn from named seeded streams. */

import { SpecError } from '@memgen/common';
import type { HostBatch } from '@memgen/model';
import { makeRng, makeTask, type Rng, type Task, type Tokenizer } from '@memgen/tasks';
import type { TrainSpec } from './spec.js';

export interface TokenBatch {
  /** Full sequences: prompt + target + EOS. */
  seqs: number[][];
  /** Per sequence, how many trailing tokens are the answer (target + EOS). */
  answerTokens: number[];
}

/**
 * One task per phase (the phase's task fields and mix over the config's), sharing one tokenizer.
 * @throws SpecError when a phase's overrides would change the vocabulary
 */
export function phaseTasks(spec: TrainSpec): Task[] {
  const tasks = spec.phases.map((p) =>
    makeTask(spec.task.name, { ...spec.task.config, ...p.task, mix: p.mix }),
  );
  const vocab = (t: Task) => JSON.stringify(t.tokenizer().toJSON());
  const first = tasks[0] ? vocab(tasks[0]) : '';
  tasks.forEach((t, i) => {
    if (vocab(t) !== first) {
      throw new SpecError(`phases.${i}.task changes the vocabulary; phases must share one tokenizer`);
    }
  });
  return tasks;
}

/** The task with the configured mix, for evaluation and labels (mix does not change items' format). */
export function baseTask(spec: TrainSpec): Task {
  return makeTask(
    spec.task.name,
    spec.phases[0] ? { ...spec.task.config, mix: spec.phases[0].mix } : spec.task.config,
  );
}

export function encodeItem(
  tok: Tokenizer,
  prompt: string,
  target: string,
): { seq: number[]; answer: number } {
  const promptIds = tok.encode(prompt);
  const seq = [...tok.encode(prompt + target), tok.eosId];
  return { seq, answer: seq.length - promptIds.length };
}

export function sampleBatch(task: Task, tok: Tokenizer, rng: Rng, size: number, nCtx: number): TokenBatch {
  const seqs: number[][] = [];
  const answerTokens: number[] = [];
  for (let i = 0; i < size; i++) {
    const item = task.sampleTrain(rng);
    const { seq, answer } = encodeItem(tok, item.prompt, item.target);
    // Never truncate silently: a too-long item means the context was sized wrongly.
    if (seq.length > nCtx)
      throw new SpecError(`a ${item.kind} item has ${seq.length} tokens, more than the context ${nCtx}`);
    seqs.push(seq);
    answerTokens.push(answer);
  }
  return { seqs, answerTokens };
}

/**
 * Moves each row's positions up by a random offset that keeps its last position below nCtx
 * (the phase option `shiftPositions`).
 * @param input a left-padded batch (positions 0… on its real tokens), changed in place
 */
export function shiftPositions(input: HostBatch, nCtx: number, rng: Rng): void {
  const T = input.length;
  for (let r = 0; r < input.rows; r++) {
    let real = 0;
    for (let j = 0; j < T; j++) real += input.mask[r * T + j] as number;
    const offset = rng.int(0, nCtx - real);
    for (let j = T - real; j < T; j++) input.positions[r * T + j] = j - (T - real) + offset;
  }
}

export interface EvalSets {
  conflict: ReturnType<Task['conflict']>[];
  rule: ReturnType<Task['ruleItem']>[];
  memorized: ReturnType<Task['memorizedItem']>[];
}

/** Fixed held-out sets: the same items at every evaluation and on resume. */
export function evalSets(task: Task, spec: TrainSpec): EvalSets {
  const c = makeRng(spec.seed, 'eval-conflict');
  const r = makeRng(spec.seed, 'eval-rule');
  const m = makeRng(spec.seed, 'eval-memorized');
  return {
    conflict: Array.from({ length: spec.eval.conflict }, () => task.conflict(c)),
    rule: Array.from({ length: spec.eval.rule }, () => task.ruleItem(r, { balanced: spec.eval.balanced })),
    memorized: Array.from({ length: spec.eval.memorized }, () => task.memorizedItem(m)),
  };
}

/**
 * The longest sequence the run will meet, from a probe of every phase's kinds and the eval sets —
 * so a context that cannot fit is refused before training starts, not at step 10 000.
 */
export function longestItem(
  tasks: Task[],
  mixes: Record<string, number>[],
  tok: Tokenizer,
  sets: EvalSets,
  seed: number,
): number {
  let longest = 0;
  const probe = makeRng(seed, 'context-probe');
  for (const [i, task] of tasks.entries()) {
    // Only the kinds this phase trains on: a zero-weight kind need not even be valid for the config.
    const kinds = task.kinds.filter((k) => (mixes[i]?.[k] ?? 0) > 0);
    for (const kind of kinds) {
      for (let i = 0; i < 64; i++) {
        const item = task.sample(kind, probe);
        longest = Math.max(longest, encodeItem(tok, item.prompt, item.target).seq.length);
      }
    }
  }
  for (const c of sets.conflict) {
    for (const target of [c.gen_target, c.mem_target])
      longest = Math.max(longest, encodeItem(tok, c.prompt, target).seq.length);
  }
  for (const r of [...sets.rule, ...sets.memorized])
    longest = Math.max(longest, encodeItem(tok, r.prompt, r.target).seq.length);
  return longest;
}

/** Tokens to generate at evaluation: the longest answer (target + EOS) plus slack. */
export function evalNewTokens(tok: Tokenizer, sets: EvalSets): number {
  let longest = 0;
  const targets = [
    ...sets.conflict.flatMap((c) => [c.gen_target, c.mem_target]),
    ...sets.rule.map((r) => r.target),
    ...sets.memorized.map((m) => m.target),
  ];
  for (const t of targets) longest = Math.max(longest, tok.encode(t).length + 1);
  return longest + 2;
}
