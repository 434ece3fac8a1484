/**
 * @memgen/tasks — the synthetic data of the study (docs/method.md §2): the color, addition and cipher
 * tasks' generators, labellers, pair variants, tokenizers, shortcut baselines and the readers of
 * the authors' reference data. Everything random takes an explicit {@link Rng}.
 */
export { ADDITION_KINDS, type AdditionConfig, AUTHORS_MEM_PAIRS } from './addition/config.js';
export {
  ADDITION_FORMATS,
  ADDITION_PROMPT_FORMATS,
  additionGenTarget,
  additionPrompt,
  answerLine,
  parseAdditionPrompt,
  scratchpadTarget,
} from './addition/format.js';
export { labelAddition } from './addition/task.js';
export {
  AUTHORS_CIPHER_KEY,
  AUTHORS_CIPHER_PATTERNS,
  CIPHER_KINDS,
  type CipherConfig,
} from './cipher/config.js';
export {
  CIPHER_PROMPT_FORMATS,
  cipherPrompt,
  decipher,
  encipher,
  parseCipherPrompt,
} from './cipher/format.js';
export { labelCipher } from './cipher/task.js';
export { COLOR_KINDS, type ColorConfig } from './color/config.js';
export {
  AUTHORS_COLORS,
  AUTHORS_MEMORIZED,
  AUTHORS_ROLES,
  EXTRA_NAME_POOL,
  TINY_COLOR_CONFIG,
} from './color/constants.js';
export { colorAnswerWord, labelColor } from './color/label.js';
export { type ParsedStory, parseColorPrompt, solveColorStory } from './color/parse.js';
export {
  COLOR_HEURISTICS,
  type ColorHeuristic,
  heuristicCandidates,
  heuristicGuess,
  heuristicScores,
} from './color/shortcut.js';
export { assertTaskName, parseTaskConfig, type ResolvedConfig, type TaskConfigs } from './config.js';
export { TaskConfigError } from './config-errors.js';
export {
  conflictRecord,
  generateSplit,
  type PairRecord,
  SPLITS,
  type SplitName,
  type SplitResult,
  toJsonl,
} from './dataset.js';
export type { AdditionReference } from './reference/addition.js';
export type { CipherReference } from './reference/cipher.js';
export type { ColorReference } from './reference/color.js';
export { referenceDataDir, referenceDataPresent } from './reference/files.js';
export { type ReferenceData, readReferenceData } from './reference/read.js';
export { makeRng, Rng, type RngState, rngFromState } from './rng.js';
export { computeStats, type DataStats, type Summary } from './stats.js';
export { bracketTag, memTag } from './tags.js';
export { makeTask } from './task.js';
export { charVocab, createCharTokenizer } from './tokenizer/char.js';
export { tokenizerFromJSON } from './tokenizer/json.js';
export {
  type DecodeOptions,
  EOS_ID,
  EOS_TOKEN,
  PAD_ID,
  PAD_TOKEN,
  type Tokenizer,
  type TokenizerJSON,
  type TokenizerScheme,
} from './tokenizer/types.js';
export { createWordTokenizer, wordVocab } from './tokenizer/word.js';
export {
  type ConflictItem,
  type HeuristicScores,
  type Label,
  type MemorizedItem,
  type PromptInspection,
  type RuleItem,
  type RuleItemOptions,
  TASK_NAMES,
  type Task,
  type TaskName,
  type TrainItem,
} from './types.js';
