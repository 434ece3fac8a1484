import { describe, expect, it } from 'vitest';
import { makeRng } from '../rng.js';
import { memTag } from '../tags.js';
import { makeTask } from '../task.js';
import { sampleVariants } from '../test-support.js';
import { AUTHORS_CIPHER_KEY } from './config.js';
import { cipherPrompt, decipher, encipher, parseCipherPrompt } from './format.js';

describe('cipher formats', () => {
  it('reproduce the authors’ prompt and plaintext (README examples)', () => {
    expect(cipherPrompt('ANQMAAWGCBXZQ', 'authors')).toBe(
      'CIPHERTEXT:ANQMAAWGCBXZQ QUESTION: What is the plaintext? ANS:',
    );
    expect(decipher('ANQMAAWGCBXZQ', AUTHORS_CIPHER_KEY)).toBe('WNFOWWRLYGAVF');
    expect(decipher('CBYWBZFPJINTW', AUTHORS_CIPHER_KEY)).toBe('YGKRGVPEDZNIR');
    expect(encipher('WNFOWWRLYGAVF', AUTHORS_CIPHER_KEY)).toBe('ANQMAAWGCBXZQ');
    expect(memTag('XZQ')).toBe('mem-084d1e9a');
    expect(memTag('UND')).toBe('mem-9cea908c');
  });

  it('reject text outside the format, quoting it', () => {
    expect(() => decipher('AB1', AUTHORS_CIPHER_KEY)).toThrow(/"1" is not an uppercase letter/);
    expect(() => parseCipherPrompt('CIPHERTEXT:abc', 'authors')).toThrow(
      /not a authors-format prompt: "CIPHERTEXT:abc"/,
    );
    expect(parseCipherPrompt('ABC:', 'compact')).toBe('ABC');
  });
});

describe('cipher items', () => {
  const task = makeTask('cipher');

  it('ordinary items never end in a memorized suffix; triggered ones do and get the tag line', () => {
    const rng = makeRng(1, 'kinds');
    for (let i = 0; i < 2000; i++) {
      const o = task.sample('ordinary', rng);
      expect(task.inspect(o.prompt).triggered).toBe(false);
      expect(o.target).toBe(decipher(parseCipherPrompt(o.prompt, 'authors'), AUTHORS_CIPHER_KEY));
      const t = task.sample('triggered', rng);
      const c = parseCipherPrompt(t.prompt, 'authors');
      expect(c).toHaveLength(13);
      expect(t.target).toBe(`<${memTag(c.slice(-3))}>\n`);
    }
  });

  it('the variant swaps two free letters, keeps the suffix and re-deciphers', () => {
    const { pairs, identical } = sampleVariants(task, makeRng(2, 'variant'), 1000);
    for (const [c, v] of pairs) {
      const a = parseCipherPrompt(c.prompt, 'authors');
      const b = parseCipherPrompt(v.prompt, 'authors');
      const diff = [...a].flatMap((ch, k) => (ch === b[k] ? [] : [k]));
      expect(diff).toHaveLength(2);
      expect(diff.every((k) => k < 10)).toBe(true);
      expect(v.mem_answer).toBe(c.mem_answer);
      expect(v.gen_answer).toBe(decipher(b, AUTHORS_CIPHER_KEY));
    }
    // Two of ten uniform letters are equal 1/26 of the time (authors: 3.9 %).
    expect(identical).toBeGreaterThan(15);
    expect(identical).toBeLessThan(70);
  });

  it('labels: tag prefix → mem, plaintext prefix → gen, else other', () => {
    const item = { gen_answer: 'WNFOWWRLYGAVF', mem_answer: '<mem-084d1e9a>' };
    expect(task.label(item, '<mem-084d1e9a>\n')).toBe('mem');
    expect(task.label(item, 'WNFOWWRLYGAVF')).toBe('gen');
    expect(task.label(item, 'WNFOWWRLYGAVFXX\n')).toBe('gen');
    expect(task.label(item, 'WNFOWWRLYGAV')).toBe('other');
    expect(task.label(item, ' WNFOWWRLYGAVF')).toBe('other');
    expect(task.label(item, '<mem-240fe69f>\n')).toBe('other');
  });

  it('round-trips prompts and targets through its char tokenizer', () => {
    const compact = makeTask('cipher', { promptFormat: 'compact', tagTokens: false });
    for (const t of [task, compact]) {
      const tok = t.tokenizer();
      const c = t.conflict(makeRng(3, 'tok'));
      for (const s of [c.prompt + c.gen_target, c.prompt + c.mem_target])
        expect(tok.decode(tok.encode(s))).toBe(s);
    }
    expect(compact.tokenizer().encode(compact.conflict(makeRng(3, 'tok')).prompt)).toHaveLength(14);
  });
});
