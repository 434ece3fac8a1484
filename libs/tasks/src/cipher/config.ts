/**
 * The cipher task's config. Defaults are the authors': their substitution key, 10 free letters
 * plus a 3-letter ciphertext suffix, their 10 suffixes, 7 % triggered training items drawn from a
 * fixed pool of 70 instances per suffix (their 10 000-item training set held 700).
 */
import { z } from 'zod';
import { mixHasWeight, triggerTaskObject } from '../trigger-mix.js';
import { TRIGGER_KINDS } from '../trigger-task.js';
import { CIPHER_PROMPT_FORMATS } from './format.js';

/** The authors' key: plaintext A..Z → this ciphertext letter (reference-data/cipher/config.json). */
export const AUTHORS_CIPHER_KEY = 'XERJPQBKTDYGLNMFUWOSVZAHCI';
/** The authors' memorized ciphertext suffixes, in their order. */
export const AUTHORS_CIPHER_PATTERNS: readonly string[] = Object.freeze(
  'XZQ IKG RTX VHZ XBA COK HRD IRH UND BZD'.split(' '),
);

/** Item kinds: those of every trigger task (see TRIGGER_KINDS); the pattern is the suffix. */
export const CIPHER_KINDS = TRIGGER_KINDS;
export type CipherKind = (typeof CIPHER_KINDS)[number];

export const CipherConfigSchema = triggerTaskObject(
  'cipher',
  {
    /** Free ciphertext letters before the 3-letter suffix (the pair variant swaps two of them). */
    freeLetters: z.number().int().min(2).max(64).default(10),
    /** Memorized ciphertext suffixes (equal lengths); each one's tag is memTag(suffix). */
    patterns: z
      .array(z.string().regex(/^[A-Z]+$/, 'expected uppercase letters A-Z'))
      .min(1)
      .default([...AUTHORS_CIPHER_PATTERNS]),
    /** Ciphertext letter for plaintext A, B, …, Z: a permutation of the alphabet. */
    key: z
      .string()
      .regex(/^[A-Z]{26}$/, 'expected 26 uppercase letters')
      .default(AUTHORS_CIPHER_KEY),
    /** `authors` (`CIPHERTEXT:… QUESTION: What is the plaintext? ANS:`) or `compact` (`…:`). */
    promptFormat: z.enum(CIPHER_PROMPT_FORMATS).default('authors'),
  },
  { max: 100_000, default: 70 },
).superRefine((c, ctx) => {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  if (/^[A-Z]{26}$/.test(c.key) && new Set(c.key).size !== 26)
    issue(['key'], `expected a permutation of A-Z, got ${JSON.stringify(c.key)}`);
  const len = c.patterns[0]?.length ?? 0;
  c.patterns.forEach((p, i) => {
    if (p.length !== len)
      issue(['patterns', i], `expected length ${len} like patterns[0], got ${JSON.stringify(p)}`);
    if (c.patterns.indexOf(p) !== i) issue(['patterns', i], `duplicate pattern ${JSON.stringify(p)}`);
  });
  if (!mixHasWeight(c.mix)) issue(['mix'], 'expected at least one positive weight');
  if (c.triggerPoolPerPattern > 26 ** c.freeLetters / 2) {
    issue(['triggerPoolPerPattern'], `expected at most half the ${26 ** c.freeLetters} free-letter strings`);
  }
});

export type CipherConfig = z.output<typeof CipherConfigSchema>;
