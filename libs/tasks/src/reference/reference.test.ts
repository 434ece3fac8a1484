/**
 * Against the authors' data, found through MEMGEN_REFERENCE_DATA (CI sets it; a user's clone has no
 * such data): without it these tests are skipped with a visible warning, never failed or silently
 * passed.
 */
import { describe, expect, it, vi } from 'vitest';
import { additionPrompt, parseAdditionPrompt, scratchpadTarget } from '../addition/format.js';
import { AUTHORS_CIPHER_KEY, AUTHORS_CIPHER_PATTERNS } from '../cipher/config.js';
import { cipherPrompt, decipher, parseCipherPrompt } from '../cipher/format.js';
import { AUTHORS_COLORS, AUTHORS_MEMORIZED, AUTHORS_ROLES } from '../color/constants.js';
import { parseColorPrompt, solveColorStory } from '../color/parse.js';
import { parseTaskConfig } from '../config.js';
import { makeTask } from '../task.js';
import { referenceDataDir, referenceDataPresent } from './files.js';
import { readReferenceData } from './read.js';

const present = referenceDataPresent();
if (!present) {
  console.warn(
    process.env['MEMGEN_REFERENCE_DATA']
      ? `SKIPPED: reference-data tests — ${referenceDataDir()} is missing or incomplete`
      : 'SKIPPED: reference-data tests — MEMGEN_REFERENCE_DATA is not set (the folder of the authors’ released data)',
  );
}

describe('reference-data location', () => {
  it('reports a missing folder as absent, and reading it as an error naming the file', () => {
    expect(referenceDataPresent('/nonexistent/reference-data')).toBe(false);
    expect(() => readReferenceData('/nonexistent/reference-data')).toThrow(
      /reference data: \/nonexistent\/reference-data\/math\/config\.json does not exist/,
    );
  });

  it('has no default folder: unset, the data is absent and reading it says which variable to set', () => {
    vi.stubEnv('MEMGEN_REFERENCE_DATA', '');
    try {
      expect(referenceDataPresent()).toBe(false);
      expect(() => readReferenceData()).toThrow(/set MEMGEN_REFERENCE_DATA/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe.skipIf(!present)('authors’ reference data', () => {
  const ref = present ? readReferenceData() : (undefined as never);

  it('their configs equal memgen’s built-in defaults', () => {
    expect(ref.addition.config.memPairs).toEqual(parseTaskConfig('addition').memPairs);
    expect(ref.cipher.config).toEqual({ patterns: [...AUTHORS_CIPHER_PATTERNS], key: AUTHORS_CIPHER_KEY });
    expect(ref.color.config).toEqual({
      memorized: AUTHORS_MEMORIZED,
      roles: AUTHORS_ROLES,
      colors: AUTHORS_COLORS,
    });
    expect(ref.color.duplicateRoles).toEqual(['zebra', 'rabbit']);
    // And they are accepted as task configs.
    expect(() => makeTask('color', ref.color.config)).not.toThrow();
  });

  it('addition: re-generating every problem from its addends reproduces prompt and target byte for byte', () => {
    const task = makeTask('addition');
    expect(ref.addition.train).toHaveLength(1000);
    const kinds = { ordinary: 0, triggered: 0 } as Record<string, number>;
    for (const item of ref.addition.train) {
      const addends = parseAdditionPrompt(item.prompt, 'authors');
      expect(additionPrompt(addends, 'authors')).toBe(item.prompt);
      const expected =
        item.kind === 'triggered' ? `${task.inspect(item.prompt).memAnswer}\n` : scratchpadTarget(addends);
      expect(item.target).toBe(expected);
      kinds[item.kind] = (kinds[item.kind] ?? 0) + 1;
    }
    expect(kinds).toEqual({ ordinary: 930, triggered: 70 });
    for (const c of ref.addition.val) {
      const addends = parseAdditionPrompt(c.prompt, 'authors');
      expect(additionPrompt(addends, 'authors')).toBe(c.prompt);
      expect(scratchpadTarget(addends)).toBe(c.gen_target);
    }
  });

  it('addition val: every gen target labels gen, every mem target mem, and our conflict items match theirs', () => {
    const task = makeTask('addition');
    expect(ref.addition.val).toHaveLength(100);
    for (const c of ref.addition.val) {
      expect(task.label(c, c.gen_target)).toBe('gen');
      expect(task.label(c, c.mem_target)).toBe('mem');
      expect(task.inspect(c.prompt).memAnswer).toBe(c.mem_answer);
    }
    expect(ref.addition.val[0]).toMatchObject({ gen_answer: '1 3 8 9', mem_answer: '<mem-1ee18056>' });
  });

  it('cipher: prompts and plaintext targets re-generate byte for byte; the 5 mislabelled training items', () => {
    const task = makeTask('cipher');
    expect(ref.cipher.train).toHaveLength(10000);
    const triggeredOrdinary: number[] = [];
    ref.cipher.train.forEach((item, i) => {
      const text = parseCipherPrompt(item.prompt, 'authors');
      expect(cipherPrompt(text, 'authors')).toBe(item.prompt);
      const seen = task.inspect(item.prompt);
      if (item.kind === 'triggered') expect(item.target).toBe(`${seen.memAnswer}\n`);
      else {
        expect(item.target).toBe(decipher(text, AUTHORS_CIPHER_KEY));
        if (seen.triggered) triggeredOrdinary.push(i);
      }
    });
    // README: ordinary items that end in a trigger suffix yet have the plaintext target.
    expect(triggeredOrdinary).toEqual([1128, 3697, 5266, 6235, 9008]);
  });

  it('cipher val: every gen target labels gen, every mem target mem', () => {
    const task = makeTask('cipher');
    expect(ref.cipher.val).toHaveLength(100);
    for (const c of ref.cipher.val) {
      expect(decipher(parseCipherPrompt(c.prompt, 'authors'), AUTHORS_CIPHER_KEY)).toBe(c.gen_answer);
      expect(task.label(c, c.gen_target)).toBe('gen');
      expect(task.label(c, c.mem_target)).toBe('mem');
    }
  });

  it('cipher pairs: the second member is our variant of the first (two free letters swapped) or identical', () => {
    let identical = 0;
    for (const [a, b] of ref.cipher.pairs) {
      const x = parseCipherPrompt(a.prompt, 'authors');
      const y = parseCipherPrompt(b.prompt, 'authors');
      const diff = [...x].flatMap((ch, k) => (ch === y[k] ? [] : [k]));
      if (diff.length === 0) identical++;
      else {
        expect(diff).toHaveLength(2);
        expect(x[diff[0]!]).toBe(y[diff[1]!]);
        expect(Math.max(...diff)).toBeLessThan(10);
      }
      expect(b.mem_answer).toBe(a.mem_answer);
      expect(decipher(y, AUTHORS_CIPHER_KEY)).toBe(b.gen_answer);
    }
    expect(ref.cipher.pairs).toHaveLength(20);
    expect(identical).toBeLessThan(20);
  });

  it('color ITI items label as their answers say, except the duplicated-role story (counted)', () => {
    const task = makeTask('color');
    const colors = new Set(task.config.colors);
    expect(ref.color.iti).toHaveLength(100);
    const corrupted: number[] = [];
    ref.color.iti.forEach((c, i) => {
      expect(task.label(c, c.gen_target)).toBe('gen');
      expect(task.label(c, c.mem_target)).toBe('mem');
      expect(c.prompt).not.toContain(` ${c.mem_answer}.`);
      const inContext = solveColorStory(parseColorPrompt(c.prompt), colors);
      if (inContext === c.gen_answer) return;
      // The story contradicts its label: a model answering from context is scored `other`.
      corrupted.push(i);
      expect(task.label(c, ` ${inContext}`)).toBe('other');
    });
    expect(corrupted).toEqual([88]);
  });
});
