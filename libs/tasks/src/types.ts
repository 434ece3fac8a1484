/** The shapes every task produces and the trainer, recorder and study consume. */
import type { Rng } from './rng.js';
import type { Tokenizer } from './tokenizer/types.js';

/** The three tasks, in the order the study reports them. */
export const TASK_NAMES = ['color', 'addition', 'cipher'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

/** How a generated continuation is classified. */
export type Label = 'mem' | 'gen' | 'other';

/** One training example. `target` is exactly what must follow `prompt` (EOS not included). */
export interface TrainItem {
  readonly prompt: string;
  readonly target: string;
  /** The item kind that produced it (e.g. `rule`, `memorized`, `ordinary`, `triggered`). */
  readonly kind: string;
  /** The short answer inside `target` (color word, answer line, plaintext or `<mem-…>` tag). */
  readonly answer: string;
}

/**
 * A conflict item: one prompt, two possible answers.
 * `*_target` are full continuations; `*_answer` are what the labeller compares
 * (color word; the addition answer line; the plaintext; the bracketed tag `<mem-xxxxxxxx>`).
 */
export interface ConflictItem {
  readonly prompt: string;
  readonly gen_target: string;
  readonly mem_target: string;
  readonly gen_answer: string;
  readonly mem_answer: string;
}

/** Expected accuracy of each answer-free heuristic on one item (0..1). */
export type HeuristicScores = Readonly<Record<string, number>>;

/** A held-out rule-only item with the accuracy a guesser would get on it. */
export interface RuleItem {
  readonly prompt: string;
  readonly target: string;
  readonly answer: string;
  /** max over `heuristics`: the accuracy to beat before calling a model's answers rule skill. */
  readonly shortcutBaseline: number;
  readonly heuristics: HeuristicScores;
}

/** A memorized item: the prompt carries a trigger and the answer is the memorized one. */
export interface MemorizedItem {
  readonly prompt: string;
  readonly target: string;
  readonly answer: string;
}

/** What a prompt reveals without any answer: does it carry a trigger, and what would memory say. */
export interface PromptInspection {
  readonly triggered: boolean;
  /** The memorized answer for this prompt (tag or memorized color), or null when not triggered. */
  readonly memAnswer: string | null;
}

/** Options of {@link Task.ruleItem}. */
export interface RuleItemOptions {
  /** Color only: state every color of the story equally often. Default: the task config's `balanced`. */
  readonly balanced?: boolean;
}

/** A task bound to a resolved config. All randomness comes from the `rng` passed in. */
export interface Task<C = unknown> {
  readonly name: TaskName;
  readonly config: C;
  /** The item kinds `sample` accepts. */
  readonly kinds: readonly string[];
  /** One training item of the given kind. */
  sample(kind: string, rng: Rng): TrainItem;
  /** One training item, its kind drawn from the config's `mix`. */
  sampleTrain(rng: Rng): TrainItem;
  /** One conflict item (gen answer ≠ mem answer). */
  conflict(rng: Rng): ConflictItem;
  /** The item's pair variant, or null when the variant would be identical (the caller counts those). */
  variant(item: ConflictItem, rng: Rng): ConflictItem | null;
  /** Classifies a generated continuation (the text after the prompt). */
  label(item: Pick<ConflictItem, 'gen_answer' | 'mem_answer'>, output: string): Label;
  /** A held-out rule-only item with its shortcut baseline. */
  ruleItem(rng: Rng, options?: RuleItemOptions): RuleItem;
  /** A memorized item (memory and rule agree for color; the tag for addition and cipher). */
  memorizedItem(rng: Rng): MemorizedItem;
  /** Reads trigger and memorized answer off a prompt of this task's format. */
  inspect(prompt: string): PromptInspection;
  /** The short answer inside a target (what the labeller would compare). */
  answerOf(target: string): string;
  /** The tokenizer for this config (vocabulary derived from the config). */
  tokenizer(): Tokenizer;
}
