import { describe, expect, it } from 'vitest';
import { parseSeed, SEED_MAX, seedSchema } from './seed.js';
import { SpecError } from './spec-error.js';

describe('parseSeed: one reading of a seed flag everywhere', () => {
  it('accepts decimal digits from 0 to 2^32 - 1', () => {
    expect(SEED_MAX).toBe(4294967295);
    const table: [string, number][] = [
      ['0', 0],
      ['7', 7],
      ['007', 7],
      ['4294967295', 4294967295],
    ];
    for (const [text, seed] of table) expect(parseSeed(text, '--seed')).toBe(seed);
  });

  it('refuses anything else with a SpecError naming the flag, the range and the text', () => {
    for (const bad of [
      '-5',
      '',
      '0x10',
      '1e3',
      ' 3',
      '3 ',
      '1.5',
      '+3',
      'one',
      '4294967296',
      '9'.repeat(400),
    ]) {
      let thrown: unknown;
      try {
        parseSeed(bad, '--seed');
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(SpecError);
      expect((thrown as Error).message).toBe(
        `--seed: expected an integer from 0 to 4294967295 in decimal digits, got ${JSON.stringify(bad)}`,
      );
    }
  });

  it('seedSchema holds spec fields to the same range, naming it', () => {
    expect(seedSchema.parse(4294967295)).toBe(4294967295);
    for (const bad of [-5, 1.5, 4294967296, 2 ** 53, '3']) {
      const result = seedSchema.safeParse(bad);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/^expected an integer from 0 to 4294967295/);
    }
    expect(seedSchema.safeParse(4294967296).error?.issues[0]?.message).toBe(
      'expected an integer from 0 to 4294967295 (seeds are unsigned 32-bit integers)',
    );
  });
});
