/**
 * The color task (SPEC §2.1). Item kinds:
 * - `rule`: names from the never-memorized pool, random colors — in-context skill only;
 * - `memorized`: memorized names, the answer is the asked name's memorized color (memory and
 *   rule agree; the authors' training stories);
 * - `any`: names from all pools, random colors — the asked name may be memorized yet have
 *   another color (RECIPE.md phase 1);
 * - `conflict`: a conflict story with its gen (in-context) answer as target;
 * - `recall`: "NAME is COLOR." statements only (a curriculum warm-up, see below);
 * - `unstated`: a `memorized` story without the sentence stating the answer's color (the asked
 *   name's own with 1 hop, its clue's with 2), so only memory can answer. A model that already does the lookup gets no reason to remember from `memorized` items
 *   (the story states the answer); these give memory a job of its own.
 * Targets are `" " + color` (the authors' training string is `prompt + " " + answer`).
 */
import type { Rng } from '../rng.js';
import { charVocab, createCharTokenizer } from '../tokenizer/char.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { createWordTokenizer, wordVocab } from '../tokenizer/word.js';
import type { ConflictItem, RuleItem, Task, TrainItem } from '../types.js';
import { COLOR_KINDS, type ColorConfig, type ColorKind } from './config.js';
import { EXTRA_NAME_POOL, TEMPLATE_PUNCTUATION, TEMPLATE_WORDS } from './constants.js';
import { colorAnswerWord, labelColor } from './label.js';
import { parseColorPrompt } from './parse.js';
import { heuristicScores } from './shortcut.js';
import { buildStory, type ColorRule, type Story, storyPrompt } from './story.js';

/** The color task for a resolved config (see {@link parseTaskConfig}). */
export function makeColorTask(config: ColorConfig): Task<ColorConfig> {
  const memorizedNames = Object.keys(config.memorized);
  const extraNames = EXTRA_NAME_POOL.slice(0, config.extraNames);
  const allNames = [...memorizedNames, ...extraNames];
  const colorSet = new Set(config.colors);
  const memorizedColor = new Map(Object.entries(config.memorized));
  const weights = COLOR_KINDS.map((k) => config.mix[k]);
  const trainPool = (pool: readonly string[]) =>
    config.namePool === undefined ? pool : pool.slice(0, config.namePool);

  const story = (
    pool: readonly string[],
    colorRule: ColorRule,
    rng: Rng,
    balanced = config.balanced,
  ): Story => {
    if (pool.length === 0)
      throw new Error('color: rule-only stories need extraNames > 0 (never-memorized names)');
    return buildStory(config, { namePool: pool, colorRule, balanced }, rng);
  };
  const train = (s: Story, kind: ColorKind): TrainItem => ({
    prompt: storyPrompt(s.statements, s.asked),
    target: ` ${s.answer}`,
    kind,
    answer: s.answer,
  });

  /**
   * A curriculum warm-up: only "NAME is COLOR." statements (distinct colors, no roles, no decoy
   * sentences), asked about one name. Small models learn this lookup first and keep it when the role
   * sentences come in; with the decoys from the start they stay at chance far longer. In the
   * `pairs` format the prompt is "NAME COLOR … NAME" (no template words).
   */
  const recall = (pool: readonly string[], rng: Rng): TrainItem => {
    // Distinct colors per name: a small color list caps the story size.
    const most = Math.min(config.maxNames, pool.length, config.colors.length);
    const names = rng.sample(pool, rng.int(Math.min(config.minNames, most), most));
    const colors = rng.sample(config.colors, names.length);
    const k = rng.int(0, names.length - 1);
    const pairs = config.recallFormat === 'pairs';
    const statements = rng.shuffle(
      names.map((n, i) => (pairs ? `${n} ${colors[i]}` : `${n} is ${colors[i]}.`)),
    );
    const answer = colors[k] as string;
    const asked = names[k] as string;
    return {
      prompt: pairs ? `${statements.join(' ')} ${asked}` : storyPrompt(statements, asked),
      target: ` ${answer}`,
      kind: 'recall',
      answer,
    };
  };

  const sample = (kind: string, rng: Rng): TrainItem => {
    switch (kind as ColorKind) {
      case 'rule':
        return train(story(trainPool(extraNames), 'free', rng), 'rule');
      case 'memorized':
        return train(story(memorizedNames, 'agree', rng), 'memorized');
      case 'any':
        return train(story(trainPool(allNames), 'free', rng), 'any');
      case 'conflict':
        return train(story(memorizedNames, 'avoid', rng), 'conflict');
      case 'recall':
        return recall(trainPool(allNames), rng);
      case 'unstated': {
        const s = story(memorizedNames, 'agree', rng);
        // The answer color is stated once, by the asked name (1 hop) or its clue (2 hops).
        const statesAnswer = (t: string) => t.endsWith(` is ${s.answer}.`);
        return train({ ...s, statements: s.statements.filter((t) => !statesAnswer(t)) }, 'unstated');
      }
      default:
        throw new Error(
          `color: unknown item kind ${JSON.stringify(kind)} (known: ${COLOR_KINDS.join(', ')})`,
        );
    }
  };

  const conflict = (rng: Rng): ConflictItem => {
    const s = story(memorizedNames, 'avoid', rng);
    const mem = memorizedColor.get(s.asked) as string;
    const prompt = storyPrompt(s.statements, s.asked);
    return {
      prompt,
      gen_target: ` ${s.answer}`,
      mem_target: ` ${mem}`,
      gen_answer: s.answer,
      mem_answer: mem,
    };
  };

  /** Same statements in a new order, question last; null when the order comes out unchanged. */
  const variant = (item: ConflictItem, rng: Rng): ConflictItem | null => {
    const parsed = parseColorPrompt(item.prompt);
    const texts = parsed.statements.map((s) => s.text);
    const shuffled = rng.shuffle(texts);
    if (shuffled.every((t, i) => t === texts[i])) return null;
    return { ...item, prompt: storyPrompt(shuffled, parsed.asked) };
  };

  const ruleItem = (rng: Rng, options?: { balanced?: boolean }): RuleItem => {
    const s = story(extraNames, 'free', rng, options?.balanced ?? config.balanced);
    const prompt = storyPrompt(s.statements, s.asked);
    const heuristics = heuristicScores(parseColorPrompt(prompt), s.answer, colorSet);
    return {
      prompt,
      target: ` ${s.answer}`,
      answer: s.answer,
      shortcutBaseline: Math.max(...Object.values(heuristics)),
      heuristics,
    };
  };

  let cached: Tokenizer | undefined;
  const buildTokenizer = (): Tokenizer => {
    const words = [...TEMPLATE_WORDS, ...allNames, ...config.colors, ...config.roles];
    if (config.tokenizer === 'char')
      return createCharTokenizer(charVocab(` ${words.join('')}${TEMPLATE_PUNCTUATION.join('')}`));
    // Order as in RECIPE.md: is . what color ? names colors roles.
    const ordered = ['is', '.', 'what', 'color', '?', ...allNames, ...config.colors, ...config.roles];
    return createWordTokenizer(wordVocab(ordered), TEMPLATE_PUNCTUATION);
  };

  return {
    name: 'color',
    config,
    kinds: COLOR_KINDS,
    sample,
    sampleTrain: (rng) => sample(COLOR_KINDS[rng.weightedIndex(weights)] as ColorKind, rng),
    conflict,
    variant,
    label: labelColor,
    ruleItem,
    memorizedItem: (rng) => {
      const { prompt, target, answer } = sample('memorized', rng);
      return { prompt, target, answer };
    },
    inspect: (prompt) => {
      const mem = memorizedColor.get(parseColorPrompt(prompt).asked);
      return { triggered: mem !== undefined, memAnswer: mem ?? null };
    },
    answerOf: colorAnswerWord,
    tokenizer: () => {
      cached ??= buildTokenizer();
      return cached;
    },
  };
}
