/**
 * The addition task's config. Defaults are the authors': 4 addends in 1..999, their 10 memorized
 * pairs, the scratchpad target, 7 % triggered training items drawn from a fixed pool of 7
 * instances per pair (their 1 000-problem training set held 70 triggered problems).
 */
import { z } from 'zod';
import { mixHasWeight, triggerTaskObject } from '../trigger-mix.js';
import { TRIGGER_KINDS } from '../trigger-task.js';
import { ADDITION_FORMATS, ADDITION_PROMPT_FORMATS } from './format.js';

/** The authors' memorized addend pairs (reference-data/math/config.json), in their order. */
export const AUTHORS_MEM_PAIRS: readonly (readonly [number, number])[] = Object.freeze([
  [66, 373],
  [32, 234],
  [155, 85],
  [241, 510],
  [826, 536],
  [7, 517],
  [690, 631],
  [837, 186],
  [322, 491],
  [191, 852],
] as const);

/** Addends a problem needs when the mix shows memorized pairs: the pair plus two free ones to swap. */
export const MIN_TRIGGER_ADDENDS = 4;

/** The item kinds whose problems end with a memorized pair. */
const PAIR_KINDS = ['triggered', 'triggered-fresh', 'conflict'] as const;

/** Item kinds: those of every trigger task (see TRIGGER_KINDS). */
export const ADDITION_KINDS = TRIGGER_KINDS;
export type AdditionKind = (typeof ADDITION_KINDS)[number];

export const AdditionConfigSchema = triggerTaskObject(
  'addition',
  {
    /**
     * Addends per problem; the last two are the trigger, so at least two stay free to swap (4+),
     * except in a mix of ordinary problems only (a curriculum phase of fewer addends: 2+).
     */
    addends: z.number().int().min(2).max(8).default(4),
    /** Addend range (inclusive). 0 is excluded: an all-zero column would end the scratchpad early. */
    minAddend: z.number().int().min(1).max(999_999).default(1),
    maxAddend: z.number().int().min(1).max(999_999).default(999),
    /**
     * Memorized (trigger) pairs; each one's tag is memTag("a+b"). Inside the addend range unless
     * the mix is ordinary problems only.
     */
    memPairs: z
      .array(z.tuple([z.number().int(), z.number().int()]))
      .min(1)
      .default(AUTHORS_MEM_PAIRS.map(([a, b]) => [a, b] as [number, number])),
    /** Gen target: authors' `scratchpad`, or `plain` sum, or `reversed` (least-significant digit first). */
    format: z.enum(ADDITION_FORMATS).default('scratchpad'),
    /** `authors` (`Input:\n…\nTarget:\n`) or `compact` (`a+b+c+d=`). */
    promptFormat: z.enum(ADDITION_PROMPT_FORMATS).default('authors'),
  },
  { max: 10_000, default: 7 },
).superRefine((c, ctx) => {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  if (c.minAddend > c.maxAddend)
    issue(['minAddend'], `expected at most maxAddend (${c.maxAddend}), got ${c.minAddend}`);
  const seen = new Set<string>();
  // Items that contain a pair must look like the others; a mix of ordinary problems only (a
  // curriculum phase of smaller addends) never shows one, so its range may leave the pairs out.
  const showsPairs = PAIR_KINDS.some((k) => (c.mix[k] ?? 0) > 0);
  c.memPairs.forEach(([a, b], i) => {
    for (const [j, v] of [a, b].entries()) {
      if (showsPairs && (v < c.minAddend || v > c.maxAddend)) {
        issue(['memPairs', i, j], `${v} is outside the addend range ${c.minAddend}..${c.maxAddend}`);
      }
    }
    if (seen.has(`${a}+${b}`)) issue(['memPairs', i], `duplicate pair ${a}+${b}`);
    seen.add(`${a}+${b}`);
  });
  if (!mixHasWeight(c.mix)) issue(['mix'], 'expected at least one positive weight');
  if (!showsPairs) return;
  if (c.addends < MIN_TRIGGER_ADDENDS)
    issue(['addends'], `expected at least ${MIN_TRIGGER_ADDENDS}, got ${c.addends}`);
  const freeCombos = (c.maxAddend - c.minAddend + 1) ** (c.addends - 2);
  if (c.triggerPoolPerPattern > freeCombos / 2) {
    issue(['triggerPoolPerPattern'], `expected at most half the ${freeCombos} free-addend combinations`);
  }
});

export type AdditionConfig = z.output<typeof AdditionConfigSchema>;
