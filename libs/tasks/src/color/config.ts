/**
 * The color task's config. Defaults reproduce the authors' stories (2 hops, 4–8 names, 5 roles,
 * ≤ 7 distractor sentences) plus what a from-scratch model needs (docs/method.md §3): 32 never-memorized
 * names for rule-only stories and a phase-2 training mix of 75 % rule-only / 25 % memorized.
 */
import { z } from 'zod';
import { kindWeightsSchema, mixHasWeight } from '../mix.js';
import {
  AUTHORS_COLORS,
  AUTHORS_MEMORIZED,
  AUTHORS_ROLES,
  EXTRA_NAME_POOL,
  TEMPLATE_WORDS,
} from './constants.js';

/** Item kinds of the color task (see color/task.ts for what each one is). */
export const COLOR_KINDS = [
  'rule',
  'memorized',
  'any',
  'conflict',
  'recall',
  'unstated',
  'chain',
  'chain-role',
  'chain-role-color',
] as const;
export type ColorKind = (typeof COLOR_KINDS)[number];

const word = z.string().regex(/^[A-Za-z]+$/, 'expected one word of ASCII letters');

export const ColorConfigSchema = z
  .strictObject({
    task: z.literal('color').default('color'),
    /** 2 = the authors' task (target → role → clue → color); 1 = the question asks about the clue. */
    hops: z.literal([1, 2]).default(2),
    /** Names per story, drawn uniformly from [minNames, maxNames]. */
    minNames: z.number().int().min(2).max(32).default(4),
    maxNames: z.number().int().min(2).max(32).default(8),
    /** Distinct roles (each with its own color) drawn per story. */
    numRoles: z.number().int().min(2).max(16).default(5),
    /** Distractor sentences kept after shuffling (authors: 7). Balanced stories keep all. */
    maxDistractorSentences: z.number().int().min(0).max(64).default(7),
    /** How many never-memorized names (the first N of EXTRA_NAME_POOL): 0, or at least maxNames. */
    extraNames: z.number().int().min(0).max(EXTRA_NAME_POOL.length).default(32),
    /**
     * Curriculum lever: training kinds `rule` and `any` draw their names from only the first N names
     * of their pool (the vocabulary is unchanged; evaluation items use the whole pool). The lookup's
     * learning plateau grows with the number of distinct names: a model that learns it on a few names
     * and then on more gets there, one trained on all names from the start stays at chance.
     */
    namePool: z.number().int().min(2).optional(),
    /**
     * Curriculum lever for the `recall` kind: `sentences` = "NAME is COLOR." statements and
     * "what color is NAME?" (the authors' format); `pairs` = "NAME COLOR NAME COLOR … NAME", the bare
     * associative-recall form. A small model escapes the lookup's plateau on pairs ~10× sooner, and the
     * circuit it learns there answers the sentence format at once (docs/method.md §3: why a curriculum).
     * `queries` = the pairs, then as many answered questions "NAME COLOR" (names drawn with
     * replacement, independently of the asked one), then the asked name: with a prompt loss (phase
     * `promptWeight` > 0) each question is one more lookup to learn from, where `pairs` has one.
     */
    recallFormat: z.enum(['sentences', 'pairs', 'queries']).default('sentences'),
    /** Answered questions per `queries` recall item (default: as many as the story has names). */
    recallQueries: z.number().int().min(1).max(32).optional(),
    /**
     * Curriculum lever for the `chain` kinds: where a role's stater states its color. `apart` = two
     * pairs "NAME ROLE", "NAME COLOR" anywhere in the story (the chain is three lookups: name → role
     * → stater → color); `adjacent` = the two pairs side by side; `merged` = one triple
     * "NAME ROLE COLOR" (the color follows the role: two lookups, name → role → color).
     */
    chainLink: z.enum(['apart', 'adjacent', 'merged']).default('apart'),
    /** State every color of a story equally often (answer-free heuristics fall to chance). */
    balanced: z.boolean().default(false),
    /** Training mix: relative weights of item kinds (omitted kinds weigh 0). */
    mix: kindWeightsSchema(COLOR_KINDS, { rule: 0.75, memorized: 0.25 }),
    /** Memorized names → memorized color (authors' map by default). */
    memorized: z.record(word, word).default({ ...AUTHORS_MEMORIZED }),
    colors: z.array(word).default([...AUTHORS_COLORS]),
    roles: z.array(word).default([...AUTHORS_ROLES]),
    /** Word-level (one token per word; small models need it) or character-level. */
    tokenizer: z.enum(['word', 'char']).default('word'),
  })
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    if (c.minNames > c.maxNames) {
      issue(['minNames'], `expected at most maxNames (${c.maxNames}), got ${c.minNames}`);
    }
    if (c.namePool !== undefined && c.namePool < c.maxNames) {
      issue(['namePool'], `expected at least maxNames (${c.maxNames}), got ${c.namePool}`);
    }
    const chains = c.mix.chain + c.mix['chain-role'] + c.mix['chain-role-color'];
    if ((c.balanced || chains > 0) && c.minNames < 4) {
      const what = c.balanced ? 'balanced stories' : 'chain items (balanced stories)';
      issue(['minNames'], `${what} need at least 4 names (two colors), got ${c.minNames}`);
    }
    if (c.extraNames !== 0 && c.extraNames < c.maxNames) {
      issue(['extraNames'], `expected 0 or at least maxNames (${c.maxNames}), got ${c.extraNames}`);
    }
    if (!mixHasWeight(c.mix)) issue(['mix'], 'expected at least one positive weight');
    if (c.mix.rule > 0 && c.extraNames === 0) issue(['mix', 'rule'], 'rule-only stories need extraNames > 0');
    checkWords(c, issue);
  });

function duplicates(list: readonly string[]): string[] {
  const seen = new Set<string>();
  return [...new Set(list.filter((x) => seen.has(x) || !seen.add(x)))];
}

/** Word lists must be disjoint sets of single tokens large enough for every story. */
function checkWords(c: ColorConfig, issue: (path: (string | number)[], message: string) => void) {
  const names = Object.keys(c.memorized);
  for (const [field, list] of [
    ['colors', c.colors],
    ['roles', c.roles],
  ] as const) {
    const d = duplicates(list);
    if (d.length > 0) issue([field], `duplicate entries ${JSON.stringify(d)}`);
  }
  const colorSet = new Set(c.colors);
  for (const [name, color] of Object.entries(c.memorized)) {
    if (!colorSet.has(color)) issue(['memorized', name], `memorized color "${color}" is not in colors`);
  }
  if (names.length < c.maxNames) {
    issue(['memorized'], `expected at least maxNames (${c.maxNames}) memorized names, got ${names.length}`);
  }
  if (c.roles.length < c.numRoles) issue(['roles'], `expected at least numRoles (${c.numRoles}) roles`);
  if (c.colors.length < c.numRoles + 1) {
    issue(['colors'], `expected at least numRoles + 1 (${c.numRoles + 1}) colors, got ${c.colors.length}`);
  }
  const owner = new Map<string, string>();
  const claim = (w: string, field: string) => {
    const prev = owner.get(w);
    if (prev !== undefined && prev !== field) issue([field], `"${w}" is also used in ${prev}`);
    owner.set(w, field);
  };
  for (const w of TEMPLATE_WORDS) owner.set(w, 'the story template');
  for (const n of names) claim(n, 'memorized');
  for (const n of EXTRA_NAME_POOL.slice(0, c.extraNames)) claim(n, 'extraNames');
  for (const w of c.colors) claim(w, 'colors');
  for (const w of c.roles) claim(w, 'roles');
}

export type ColorConfig = z.output<typeof ColorConfigSchema>;
