/** Property tests over thousands of generated items, for every task under several configs. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CipherConfig } from './cipher/config.js';
import { decipher, parseCipherPrompt } from './cipher/format.js';
import { generateSplit, SPLITS, toJsonl } from './dataset.js';
import { makeRng } from './rng.js';
import { makeTask } from './task.js';
import type { Task } from './types.js';

const TASKS: Task[] = [
  makeTask('color'),
  makeTask('color', { hops: 1, balanced: true }),
  makeTask('color', { hops: 2, balanced: true, tokenizer: 'char' }),
  makeTask('addition'),
  makeTask('addition', { format: 'plain', promptFormat: 'compact', tagTokens: false, addends: 5 }),
  makeTask('addition', {
    format: 'reversed',
    minAddend: 1,
    maxAddend: 20,
    memPairs: [
      [3, 4],
      [5, 6],
    ],
  }),
  makeTask('cipher'),
  makeTask('cipher', { promptFormat: 'compact', tagTokens: false, freeLetters: 4, triggerPoolPerPattern: 5 }),
];
const RUNS = 1000;
const seeds = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const roundTrip = (tok: ReturnType<Task['tokenizer']>, text: string) => tok.decode(tok.encode(text));

describe.each(TASKS.map((t) => [`${t.name} ${JSON.stringify(configSummary(t))}`, t] as const))(
  '%s',
  (_, task) => {
    const tok = task.tokenizer();

    it('conflict items: gen ≠ mem, each target labels as itself, the prompt is triggered, tokens round-trip', () => {
      fc.assert(
        fc.property(seeds, (seed) => {
          const c = task.conflict(makeRng(seed, 'prop-conflict'));
          expect(c.gen_answer).not.toBe(c.mem_answer);
          expect(task.label(c, c.gen_target)).toBe('gen');
          expect(task.label(c, c.mem_target)).toBe('mem');
          expect(task.inspect(c.prompt)).toEqual({ triggered: true, memAnswer: c.mem_answer });
          expect(roundTrip(tok, c.prompt + c.gen_target)).toBe(c.prompt + c.gen_target);
          expect(roundTrip(tok, c.prompt + c.mem_target)).toBe(c.prompt + c.mem_target);
          expect(tok.decode(tok.encode(c.gen_target), { continuation: true })).toBe(c.gen_target);
        }),
        { numRuns: RUNS },
      );
    });

    it('variants keep both answers (cipher: the mem answer, and gen re-deciphered) and label correctly', () => {
      fc.assert(
        fc.property(seeds, (seed) => {
          const rng = makeRng(seed, 'prop-variant');
          const c = task.conflict(rng);
          const v = task.variant(c, rng);
          if (v === null) return;
          expect(v.prompt).not.toBe(c.prompt);
          expect(v.mem_answer).toBe(c.mem_answer);
          if (task.name === 'cipher') {
            const config = task.config as CipherConfig;
            const text = parseCipherPrompt(v.prompt, config.promptFormat);
            expect(v.gen_answer).toBe(decipher(text, config.key));
            expect([...v.gen_answer].sort()).toEqual([...c.gen_answer].sort());
          } else {
            expect(v.gen_answer).toBe(c.gen_answer);
          }
          expect(task.label(v, v.gen_target)).toBe('gen');
          expect(task.label(v, v.mem_target)).toBe('mem');
        }),
        { numRuns: RUNS },
      );
    });

    it('training items of every kind: answerOf(target) is the answer and the text round-trips', () => {
      fc.assert(
        fc.property(seeds, fc.constantFrom(...task.kinds), (seed, kind) => {
          const item = task.sample(kind, makeRng(seed, 'prop-train'));
          expect(item.kind).toBe(kind);
          expect(task.answerOf(item.target)).toBe(item.answer);
          expect(roundTrip(tok, item.prompt + item.target)).toBe(item.prompt + item.target);
        }),
        { numRuns: RUNS },
      );
    });

    it('the same seed gives the same bytes, different seeds differ', () => {
      fc.assert(
        fc.property(seeds, seeds, fc.constantFrom(...SPLITS), (a, b, split) => {
          fc.pre(a !== b);
          const once = toJsonl(generateSplit(task, split, a, 4).records);
          expect(toJsonl(generateSplit(task, split, a, 4).records)).toBe(once);
          expect(toJsonl(generateSplit(task, split, b, 4).records)).not.toBe(once);
        }),
        { numRuns: 200 },
      );
    });
  },
);

function configSummary(task: Task): Record<string, unknown> {
  const c = task.config as Record<string, unknown>;
  const keys = [
    'hops',
    'balanced',
    'tokenizer',
    'format',
    'promptFormat',
    'tagTokens',
    'addends',
    'freeLetters',
  ];
  return Object.fromEntries(keys.filter((k) => k in c).map((k) => [k, c[k]]));
}
