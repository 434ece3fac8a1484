/** Token spans of color pairs: the same statements found at their positions in both members. */
import { makeRng, makeTask, parseColorPrompt } from '@memgen/tasks';
import { describe, expect, it } from 'vitest';
import { FIXTURE_TASK } from '../common/test-fixture.js';
import type { PairLine } from '../pairs/pairs-file.js';
import { spanPositions } from './spans.js';

const task = makeTask('color', FIXTURE_TASK.config);
const tok = task.tokenizer();

/** A pair of two orders of one conflict item's statements (the first variant that differs). */
function pairOf(seed: number): PairLine {
  const rng = makeRng(seed, 'spans');
  const item = task.conflict(rng);
  let variant = task.variant(item, rng);
  while (variant === null) variant = task.variant(item, rng);
  const member = (prompt: string) => ({ prompt, tokens: tok.encode(prompt), output: '' });
  return {
    pair: 0,
    mem: member(item.prompt),
    gen: member(variant.prompt),
    answers: { mem: item.mem_answer, gen: item.gen_answer },
    item: 0,
  };
}

describe('spanPositions', () => {
  it("maps each statement's tokens to the same tokens in the partner; asked and others tile the statements", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const pair = pairOf(seed);
      const asked = spanPositions(pair, 'asked', tok);
      const others = spanPositions(pair, 'others', tok);
      for (const [pm, pg] of [...asked, ...others]) expect(pair.mem.tokens[pm]).toBe(pair.gen.tokens[pg]);
      const story = parseColorPrompt(pair.mem.prompt);
      const askedCount = story.statements.filter((s) => s.name === story.asked).length;
      expect(askedCount).toBeGreaterThan(0);
      expect(asked).toHaveLength(4 * askedCount); // "<Name> is <word>." is four word tokens
      const memPositions = [...asked, ...others].map(([pm]) => pm).sort((a, b) => a - b);
      expect(memPositions).toEqual(Array.from({ length: 4 * story.statements.length }, (_, t) => t));
      expect(new Set([...asked, ...others].map(([, pg]) => pg)).size).toBe(memPositions.length);
      expect(spanPositions(pair, 'story', tok)).toEqual(pair.mem.tokens.map((_, t) => [t, t]));
    }
  });

  it('refuses members that are not the same statements reordered, naming the pair', () => {
    const pair = pairOf(1);
    const other = pairOf(2);
    expect(() => spanPositions({ ...pair, gen: other.mem }, 'asked', tok)).toThrow(/pairs\.jsonl pair 0: /);
    const shifted = { ...pair, mem: { ...pair.mem, tokens: pair.mem.tokens.slice(1) } };
    expect(() => spanPositions(shifted, 'others', tok)).toThrow(
      /pair 0: its members have \d+ and \d+ tokens/,
    );
  });
});
