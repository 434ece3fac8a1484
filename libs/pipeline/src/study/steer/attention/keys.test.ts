import { stream } from '@memgen/common';
import { makeRng, makeTask, parseColorPrompt } from '@memgen/tasks';
import { describe, expect, it } from 'vitest';
import { FIXTURE_TASK } from '../../common/test-fixture.js';
import { matchedKeys, statementKeys } from './keys.js';

const task = makeTask('color', FIXTURE_TASK.config);
const tok = task.tokenizer();
const rng = makeRng(11, 'test/attention-keys');
const items = Array.from({ length: 40 }, () => task.conflict(rng));

describe('attention keys', () => {
  it('picks exactly the tokens of the asked name’s statements, or of every other statement', () => {
    const asked = statementKeys(tok, 'asked');
    const others = statementKeys(tok, 'others');
    let withAsked = 0;
    for (const item of items) {
      const ids = tok.encode(item.prompt);
      const story = parseColorPrompt(item.prompt);
      const askedText = story.statements.filter((s) => s.name === story.asked).map((s) => s.text);
      const a = asked(ids);
      const o = others(ids);
      if (askedText.length > 0) withAsked++;
      // The chosen tokens spell the statements (each after its separating space but the first).
      const spell = (pos: readonly number[]) => tok.decode(pos.map((p) => ids[p]!)).replace(/\s+/g, '');
      expect(spell(a)).toBe(askedText.join('').replace(/\s+/g, ''));
      expect(new Set([...a, ...o]).size).toBe(a.length + o.length);
      // Statements and the question tile the prompt: the question is what neither kind picks.
      const question = tok.encode(` what color is ${story.asked}?`).length;
      expect(a.length + o.length).toBe(ids.length - question);
    }
    expect(withAsked).toBeGreaterThan(30);
  });

  it('the matched control: as many positions, the same for the same prompt, different across prompts', () => {
    const asked = statementKeys(tok, 'asked');
    const control = matchedKeys(asked, stream(3, 'steer/test/matched'));
    const again = matchedKeys(asked, stream(3, 'steer/test/matched'));
    const draws = items.map((item) => {
      const ids = tok.encode(item.prompt);
      const c = control(ids);
      expect(c).toHaveLength(asked(ids).length);
      for (const p of c) expect(p).toBeLessThan(ids.length);
      expect(new Set(c).size).toBe(c.length);
      expect(again([...ids])).toEqual(c);
      return c.join(',');
    });
    expect(new Set(draws).size).toBeGreaterThan(items.length / 2);
  });

  it('names the prompt when its tokens are not color statements', () => {
    const asked = statementKeys(tok, 'asked');
    const ids = tok.encode(items[0]!.prompt);
    expect(() => asked(ids.slice(2))).toThrow(/not a "<Name> is <word>\." statement/);
  });
});
