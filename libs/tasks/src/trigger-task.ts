/**
 * What the trigger tasks (addition, cipher) share: a problem is triggered when it ends in a
 * memorized pattern; its mem target is that pattern's tag line, its gen target the task's answer.
 * Each task supplies its problems (addends, ciphertext) and their formatting; this builds the Task.
 */
import type { Rng } from './rng.js';
import { charVocab, createCharTokenizer } from './tokenizer/char.js';
import type { Tokenizer } from './tokenizer/types.js';
import { candidateScore, drawUntil } from './trigger-pool.js';
import type { ConflictItem, Label, Task, TaskName, TrainItem } from './types.js';

/**
 * Item kinds: `ordinary` (no trigger, gen target), `triggered` (an instance of the fixed pool, mem
 * target), `triggered-fresh` (random free part + a memorized pattern, mem target — the trigger
 * generalises by construction), `conflict` (a conflict prompt with its gen target).
 */
export const TRIGGER_KINDS = ['ordinary', 'triggered', 'triggered-fresh', 'conflict'] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

/** A trigger task's problems, of type P. */
export interface TriggerProblems<P> {
  readonly name: TaskName;
  /** What the free part is made of and what a pattern is, for messages: 'addends', 'pair'. */
  readonly freeNoun: string;
  readonly patternNoun: string;
  readonly mix: Readonly<Record<TriggerKind, number>>;
  /** Bracketed tags, one per pattern; each one token when `tagTokens`. */
  readonly tags: readonly string[];
  readonly tagTokens: boolean;
  /** Every character of prompts and gen targets. */
  readonly alphabet: string;
  /** The fixed triggered training instances. */
  readonly pool: readonly P[];
  /** Identifies a problem (duplicates in the pool, messages). */
  key(p: P): string;
  /** The tag of the pattern `p` ends in, if any. */
  tagOf(p: P): string | undefined;
  /** A problem drawn without regard to triggers. */
  draw(rng: Rng): P;
  /** Random free part + a memorized pattern. */
  fresh(rng: Rng): P;
  prompt(p: P): string;
  parse(prompt: string): P;
  /** The gen target and the answer inside it. */
  gen(p: P): { target: string; answer: string };
  /** Length of the free part (the positions a pair variant may swap). */
  freeCount(p: P): number;
  /** `p` with free positions i and j swapped; null when they hold the same value. */
  swap(p: P, i: number, j: number): P | null;
  /** The answer-free guesses a reader of the prompt could make. */
  guesses(p: P): string[];
  label(item: Pick<ConflictItem, 'gen_answer' | 'mem_answer'>, output: string): Label;
  answerOf(target: string): string;
}

/** A spec with what its draws need: the keys of its pool (conflict prompts are held out of it). */
interface Bound<P> {
  readonly spec: TriggerProblems<P>;
  readonly poolKeys: ReadonlySet<string>;
}

/** Ordinary problems never end in a memorized pattern. */
function ordinary<P>({ spec }: Bound<P>, rng: Rng): P {
  return drawUntil(
    `${spec.name} ordinary`,
    () => spec.draw(rng),
    (p) => !spec.tagOf(p),
  );
}

function conflictProblem<P>({ spec, poolKeys }: Bound<P>, rng: Rng): P {
  return drawUntil(
    `${spec.name} conflict`,
    () => spec.fresh(rng),
    (p) => !poolKeys.has(spec.key(p)),
  );
}

function genItem<P>(spec: TriggerProblems<P>, p: P, kind: TriggerKind): TrainItem {
  const { target, answer } = spec.gen(p);
  return { prompt: spec.prompt(p), target, kind, answer };
}

function memItem<P>(spec: TriggerProblems<P>, p: P, kind: TriggerKind): TrainItem {
  const tag = spec.tagOf(p) as string;
  return { prompt: spec.prompt(p), target: `${tag}\n`, kind, answer: tag };
}

function sample<P>(bound: Bound<P>, kind: string, rng: Rng): TrainItem {
  const { spec } = bound;
  switch (kind as TriggerKind) {
    case 'ordinary':
      return genItem(spec, ordinary(bound, rng), 'ordinary');
    case 'triggered':
      return memItem(spec, rng.pick(spec.pool), 'triggered');
    case 'triggered-fresh':
      return memItem(spec, spec.fresh(rng), 'triggered-fresh');
    case 'conflict':
      return genItem(spec, conflictProblem(bound, rng), 'conflict');
    default:
      throw new Error(
        `${spec.name}: unknown item kind ${JSON.stringify(kind)} (known: ${TRIGGER_KINDS.join(', ')})`,
      );
  }
}

function conflictOf<P>(spec: TriggerProblems<P>, p: P): ConflictItem {
  const tag = spec.tagOf(p);
  if (tag === undefined)
    throw new Error(`${spec.name}: ${spec.key(p)} does not end with a memorized ${spec.patternNoun}`);
  const gen = spec.gen(p);
  return {
    prompt: spec.prompt(p),
    gen_target: gen.target,
    mem_target: `${tag}\n`,
    gen_answer: gen.answer,
    mem_answer: tag,
  };
}

/** Swaps two free positions; null when they are equal (the variant would be identical). */
function variant<P>(spec: TriggerProblems<P>, item: ConflictItem, rng: Rng): ConflictItem | null {
  const p = spec.parse(item.prompt);
  const free = spec.freeCount(p);
  if (free < 2)
    throw new Error(`${spec.name}: need two free ${spec.freeNoun} to swap in ${JSON.stringify(item.prompt)}`);
  const [i, j] = rng.sample([...Array(free).keys()], 2) as [number, number];
  const swapped = spec.swap(p, i, j);
  return swapped === null ? null : conflictOf(spec, swapped);
}

function triggerTokenizer(spec: TriggerProblems<unknown>): Tokenizer {
  const { alphabet, tags } = spec;
  return createCharTokenizer(
    spec.tagTokens ? charVocab(alphabet, tags) : charVocab(`${alphabet}${tags.join('')}`),
  );
}

/** The Task of a trigger task's problems, bound to `config`. */
export function makeTriggerTask<P, C>(spec: TriggerProblems<P>, config: C): Task<C> {
  const bound: Bound<P> = { spec, poolKeys: new Set(spec.pool.map((p) => spec.key(p))) };
  const weights = TRIGGER_KINDS.map((k) => spec.mix[k]);
  let cached: Tokenizer | undefined;
  return {
    name: spec.name,
    config,
    kinds: TRIGGER_KINDS,
    sample: (kind, rng) => sample(bound, kind, rng),
    sampleTrain: (rng) => sample(bound, TRIGGER_KINDS[rng.weightedIndex(weights)] as TriggerKind, rng),
    conflict: (rng) => conflictOf(spec, conflictProblem(bound, rng)),
    variant: (item, rng) => variant(spec, item, rng),
    label: spec.label,
    ruleItem: (rng) => {
      const item = sample(bound, 'ordinary', rng);
      const randomCandidate = candidateScore(item.answer, spec.guesses(spec.parse(item.prompt)));
      return { ...item, shortcutBaseline: randomCandidate, heuristics: { randomCandidate } };
    },
    memorizedItem: (rng) => {
      const { prompt, target, answer } = sample(bound, 'triggered', rng);
      return { prompt, target, answer };
    },
    inspect: (prompt) => {
      const tag = spec.tagOf(spec.parse(prompt));
      return { triggered: tag !== undefined, memAnswer: tag ?? null };
    },
    answerOf: spec.answerOf,
    tokenizer: () => {
      cached ??= triggerTokenizer(spec as TriggerProblems<unknown>);
      return cached;
    },
  };
}
