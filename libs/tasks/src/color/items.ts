/** The color task's items, one builder per kind; task.ts binds them to a config. */
import type { Rng } from '../rng.js';
import { charVocab, createCharTokenizer } from '../tokenizer/char.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { createWordTokenizer, wordVocab } from '../tokenizer/word.js';
import type { ConflictItem, RuleItem, RuleItemOptions, TrainItem } from '../types.js';
import { COLOR_KINDS, type ColorConfig, type ColorKind } from './config.js';
import { EXTRA_NAME_POOL, TEMPLATE_PUNCTUATION, TEMPLATE_WORDS } from './constants.js';
import { parseColorPrompt } from './parse.js';
import { heuristicScores } from './shortcut.js';
import { buildStory, type ColorRule, type Story, storyPrompt } from './story.js';

/** What every item builder needs of the config, computed once. */
export interface ColorContext {
  readonly config: ColorConfig;
  readonly memorizedNames: readonly string[];
  /** The never-memorized names. */
  readonly extraNames: readonly string[];
  readonly allNames: readonly string[];
  readonly colorSet: ReadonlySet<string>;
  readonly memorizedColor: ReadonlyMap<string, string>;
}

export function colorContext(config: ColorConfig): ColorContext {
  const memorizedNames = Object.keys(config.memorized);
  const extraNames = EXTRA_NAME_POOL.slice(0, config.extraNames);
  return {
    config,
    memorizedNames,
    extraNames,
    allNames: [...memorizedNames, ...extraNames],
    colorSet: new Set(config.colors),
    memorizedColor: new Map(Object.entries(config.memorized)),
  };
}

/** The names training items draw from: `pool`, cut to the config's `namePool` when set. */
function trainPool({ config }: ColorContext, pool: readonly string[]): readonly string[] {
  return config.namePool === undefined ? pool : pool.slice(0, config.namePool);
}

function story(
  { config }: ColorContext,
  pool: readonly string[],
  colorRule: ColorRule,
  rng: Rng,
  balanced = config.balanced,
): Story {
  if (pool.length === 0)
    throw new Error('color: rule-only stories need extraNames > 0 (never-memorized names)');
  return buildStory(config, { namePool: pool, colorRule, balanced }, rng);
}

function train(s: Story, kind: ColorKind): TrainItem {
  return { prompt: storyPrompt(s.statements, s.asked), target: ` ${s.answer}`, kind, answer: s.answer };
}

/**
 * A curriculum warm-up: only "NAME is COLOR." statements (distinct colors, no roles, no decoy
 * sentences), asked about one name. Small models learn this lookup first and keep it when the role
 * sentences come in; with the decoys from the start they stay at chance far longer. In the
 * `pairs` format the prompt is "NAME COLOR … NAME" (no template words); in `queries` the pairs are
 * followed by as many answered questions ("NAME COLOR", names drawn with replacement) before the
 * asked name.
 */
function recall({ config }: ColorContext, pool: readonly string[], rng: Rng): TrainItem {
  // Distinct colors per name: a small color list caps the story size.
  const most = Math.min(config.maxNames, pool.length, config.colors.length);
  const names = rng.sample(pool, rng.int(Math.min(config.minNames, most), most));
  const colors = rng.sample(config.colors, names.length);
  const k = rng.int(0, names.length - 1);
  const pairs = config.recallFormat !== 'sentences';
  const statements = rng.shuffle(
    names.map((n, i) => (pairs ? `${n} ${colors[i]}` : `${n} is ${colors[i]}.`)),
  );
  const answer = colors[k] as string;
  const asked = names[k] as string;
  if (config.recallFormat === 'queries') {
    // Earlier questions (as many as names unless recallQueries set), each a name drawn with
    // replacement and its color: independent of the asked name, so how often a color occurs says
    // nothing about the answer.
    const queries = Array.from({ length: config.recallQueries ?? names.length }, () => {
      const q = rng.int(0, names.length - 1);
      return `${names[q]} ${colors[q]}`;
    });
    return {
      prompt: `${statements.join(' ')} ${queries.join(' ')} ${asked}`,
      target: ` ${answer}`,
      kind: 'recall',
      answer,
    };
  }
  return {
    prompt: pairs ? `${statements.join(' ')} ${asked}` : storyPrompt(statements, asked),
    target: ` ${answer}`,
    kind: 'recall',
    answer,
  };
}

/**
 * A balanced story in the bare form: "NAME ROLE" and "NAME COLOR" pairs, no template words. The
 * 2-hop lookup without the sentences, as `pairs` recall is for one hop: the form on which a small
 * model left the lookup's plateau there.
 */
function bareStory(ctx: ColorContext, pool: readonly string[], rng: Rng): Story {
  return buildStory(ctx.config, { namePool: pool, colorRule: 'free', balanced: true, bare: true }, rng);
}

/**
 * The chain and its two pieces on bare stories. Color questions keep the authors' question
 * ("what color is X?", X a name or a role); a role question is the bare name, so no prompt form asks
 * for two kinds of answer. `chain`: the asked name's color (the target with 2 hops: name → role →
 * clue → color); `chain-role`: a name's role; `chain-role-color`: the color a role's stater gives.
 */
function chainItem(ctx: ColorContext, pool: readonly string[], kind: ColorKind, rng: Rng): TrainItem {
  const s = bareStory(ctx, pool, rng);
  const roles = new Set(ctx.config.roles);
  const roleOf = new Map<string, string>();
  const colorOf = new Map<string, string>();
  for (const statement of s.statements) {
    const [name, value] = statement.split(' ') as [string, string];
    (roles.has(value) ? roleOf : colorOf).set(name, value);
  }
  const story = linkStaters(s.statements, ctx.config.chainLink, colorOf).join(' ');
  const item = (prompt: string, answer: string): TrainItem => ({
    prompt,
    target: ` ${answer}`,
    kind,
    answer,
  });
  if (kind === 'chain') return item(`${story} what color is ${s.asked}?`, s.answer);
  if (kind === 'chain-role') {
    const name = rng.pick([...roleOf.keys()]);
    return item(`${story} ${name}`, roleOf.get(name) as string);
  }
  const [stater, color] = rng.pick([...colorOf]);
  return item(`${story} what color is ${roleOf.get(stater)}?`, color);
}

/**
 * Bare statements with each stater's color statement moved beside its role statement (`adjacent`)
 * or merged into it as "NAME ROLE COLOR" (`merged`); `apart` keeps the shuffled order.
 */
function linkStaters(
  statements: readonly string[],
  link: ColorConfig['chainLink'],
  colorOf: ReadonlyMap<string, string>,
): string[] {
  if (link === 'apart') return [...statements];
  return statements.flatMap((st) => {
    const [name, value] = st.split(' ') as [string, string];
    const color = colorOf.get(name);
    if (value === color) return [];
    if (color === undefined) return [st];
    return link === 'merged' ? [`${st} ${color}`] : [st, `${name} ${color}`];
  });
}

/** A `memorized` story without the sentence stating the answer, so only memory can answer. */
function unstated(ctx: ColorContext, rng: Rng): TrainItem {
  const s = story(ctx, ctx.memorizedNames, 'agree', rng);
  // The answer color is stated once, by the asked name (1 hop) or its clue (2 hops).
  const statesAnswer = (t: string) => t.endsWith(` is ${s.answer}.`);
  return train({ ...s, statements: s.statements.filter((t) => !statesAnswer(t)) }, 'unstated');
}

/** One training item of `kind`. */
export function sampleColor(ctx: ColorContext, kind: string, rng: Rng): TrainItem {
  const { memorizedNames, extraNames, allNames } = ctx;
  switch (kind as ColorKind) {
    case 'rule':
      return train(story(ctx, trainPool(ctx, extraNames), 'free', rng), 'rule');
    case 'memorized':
      return train(story(ctx, memorizedNames, 'agree', rng), 'memorized');
    case 'any':
      return train(story(ctx, trainPool(ctx, allNames), 'free', rng), 'any');
    case 'conflict':
      return train(story(ctx, memorizedNames, 'avoid', rng), 'conflict');
    case 'recall':
      return recall(ctx, trainPool(ctx, allNames), rng);
    case 'unstated':
      return unstated(ctx, rng);
    case 'chain':
    case 'chain-role':
    case 'chain-role-color':
      return chainItem(ctx, trainPool(ctx, allNames), kind as ColorKind, rng);
    default:
      throw new Error(`color: unknown item kind ${JSON.stringify(kind)} (known: ${COLOR_KINDS.join(', ')})`);
  }
}

export function conflictItem(ctx: ColorContext, rng: Rng): ConflictItem {
  const s = story(ctx, ctx.memorizedNames, 'avoid', rng);
  const mem = ctx.memorizedColor.get(s.asked) as string;
  return {
    prompt: storyPrompt(s.statements, s.asked),
    gen_target: ` ${s.answer}`,
    mem_target: ` ${mem}`,
    gen_answer: s.answer,
    mem_answer: mem,
  };
}

/** Same statements in a new order, question last; null when the order comes out unchanged. */
export function variantOf(item: ConflictItem, rng: Rng): ConflictItem | null {
  const parsed = parseColorPrompt(item.prompt);
  const texts = parsed.statements.map((s) => s.text);
  const shuffled = rng.shuffle(texts);
  if (shuffled.every((t, i) => t === texts[i])) return null;
  return { ...item, prompt: storyPrompt(shuffled, parsed.asked) };
}

export function ruleItem(ctx: ColorContext, rng: Rng, options?: RuleItemOptions): RuleItem {
  const s = story(ctx, ctx.extraNames, 'free', rng, options?.balanced ?? ctx.config.balanced);
  const prompt = storyPrompt(s.statements, s.asked);
  const heuristics = heuristicScores(parseColorPrompt(prompt), s.answer, ctx.colorSet);
  return {
    prompt,
    target: ` ${s.answer}`,
    answer: s.answer,
    shortcutBaseline: Math.max(...Object.values(heuristics)),
    heuristics,
  };
}

export function colorTokenizer({ config, allNames }: ColorContext): Tokenizer {
  const words = [...TEMPLATE_WORDS, ...allNames, ...config.colors, ...config.roles];
  if (config.tokenizer === 'char')
    return createCharTokenizer(charVocab(` ${words.join('')}${TEMPLATE_PUNCTUATION.join('')}`));
  // Vocabulary order: is . what color ? names colors roles (ids stable across releases).
  const ordered = ['is', '.', 'what', 'color', '?', ...allNames, ...config.colors, ...config.roles];
  return createWordTokenizer(wordVocab(ordered), TEMPLATE_PUNCTUATION);
}
