/**
 * The training split as the learners see it: the first steer.calibrationPairs flipped pairs whose
 * members answer differently unsteered, as two forward inputs (the mem members, the gen members)
 * with each row's own and partner's first answer token; and ordinary rule items with their
 * unsteered first tokens, for the term that keeps the model's other answers.
 */
import type { Stream } from '@memgen/common';
import { disposeInput, type ForwardInput, type GPT, leftPad, toForwardInput } from '@memgen/model';
import type { Task, Tokenizer } from '@memgen/tasks';
import type { PairLine } from '../../pairs/pairs-file.js';
import { firstTokens } from '../../patching/runs.js';

/** One class of members: rows of one forward input, each with the answer it must move to. */
export interface MemberRows {
  input: ForwardInput;
  /** [rows] the unsteered first answer token of each row. */
  own: number[];
  /** [rows] the partner member's unsteered first answer token. */
  partner: number[];
}

export interface TrainingSplit {
  /** Pairs used (members answer differently unsteered). */
  pairs: number;
  mem: MemberRows;
  gen: MemberRows;
  /** Rule items and their unsteered first tokens (`partner` = `own`); null when none are asked for. */
  keep: MemberRows | null;
  dispose(): void;
}

function rowsOf(seqs: number[][], padId: number): ForwardInput {
  return toForwardInput(leftPad(seqs, padId));
}

/** The prompts of a pair list's members: what the steering set must not contain. */
export function memberPrompts(pairs: readonly PairLine[]): Set<string> {
  return new Set(pairs.flatMap((p) => [p.mem.prompt, p.gen.prompt]));
}

/**
 * Builds the split from `pairs` (the caller's slice of pairs.jsonl) and `keepItems` rule items.
 * @throws Error when no pair has members whose first answer tokens differ
 */
export function trainingSplit(
  model: GPT,
  padId: number,
  pairs: readonly PairLine[],
  keep: { task: Task; tokenizer: Tokenizer; items: number; rng: Stream } | null,
): TrainingSplit {
  const memAll = rowsOf(
    pairs.map((p) => p.mem.tokens),
    padId,
  );
  const genAll = rowsOf(
    pairs.map((p) => p.gen.tokens),
    padId,
  );
  const [memTok, genTok] = [firstTokens(model, memAll), firstTokens(model, genAll)];
  disposeInput(memAll);
  disposeInput(genAll);
  const used = pairs.map((_, k) => k).filter((k) => memTok[k] !== genTok[k]);
  if (used.length === 0) throw new Error('no training pair has members that answer differently');
  const rows = (side: 'mem' | 'gen', own: number[], partner: number[]): MemberRows => ({
    input: rowsOf(
      used.map((k) => pairs[k]![side].tokens),
      padId,
    ),
    own: used.map((k) => own[k]!),
    partner: used.map((k) => partner[k]!),
  });
  const keepRows = keep ? ruleRows(model, padId, keep) : null;
  const split = { pairs: used.length, mem: rows('mem', memTok, genTok), gen: rows('gen', genTok, memTok) };
  return {
    ...split,
    keep: keepRows,
    dispose: () => {
      for (const r of [split.mem, split.gen, keepRows]) if (r) disposeInput(r.input);
    },
  };
}

function ruleRows(
  model: GPT,
  padId: number,
  k: { task: Task; tokenizer: Tokenizer; items: number; rng: Stream },
): MemberRows {
  const items = Array.from({ length: k.items }, () => k.task.ruleItem(k.rng));
  const input = rowsOf(
    items.map((r) => k.tokenizer.encode(r.prompt)),
    padId,
  );
  const own = firstTokens(model, input);
  return { input, own, partner: own };
}
