/** Spec files: JSON or YAML, and a seed only ever in decimal digits, whichever the file is. */
import { describe, expect, it } from 'vitest';
import { SpecError } from './spec-error.js';
import { parseSpecText } from './spec-text.js';

const refusal = (text: string) => {
  try {
    parseSpecText(text, 'sweep spec');
  } catch (err) {
    return err;
  }
  return null;
};

describe('spec text', () => {
  it('refuses YAML seeds in hex, octal, exponent or fraction form, naming the field', () => {
    for (const [seed, field] of [
      ['0x10', 'seeds.0'],
      ['1e3', 'seeds.0'],
      ['0o17', 'seeds.0'],
      ['16.0', 'seeds.0'],
    ]) {
      const err = refusal(`tasks: [color]\nseeds: [${seed}, 2]\n`);
      expect(err).toBeInstanceOf(SpecError);
      expect((err as Error).message).toBe(
        `sweep spec: field "${field}": expected an integer from 0 to 4294967295 in decimal digits, got "${seed}"`,
      );
    }
    expect((refusal('seeds:\n  - 1\n  - 0x3\n') as Error).message).toMatch(
      /^sweep spec: field "seeds\.1": .*"0x3"/,
    );
    expect((refusal('train: {seed: 0o17}\n') as Error).message).toMatch(/field "train\.seed": .*"0o17"/);
    expect((refusal('study:\n  seed: 1e3\n') as Error).message).toMatch(/field "study\.seed": .*"1e3"/);
  });

  it('refuses the same forms in JSON, where JSON.parse alone would read them as integers', () => {
    expect((refusal('{"seeds": [1e3]}') as Error).message).toMatch(/field "seeds\.0": .*got "1e3"/);
    expect((refusal('{"seeds": [0, 2.0]}') as Error).message).toMatch(/field "seeds\.1": .*got "2\.0"/);
  });

  it('reads every other number as YAML and JSON do, seeds in digits included', () => {
    expect(parseSpecText('seeds: [0, 16, 4294967295]\nlr: 1e-3\nalphas: [0x10, 0.5]\n', 'spec')).toEqual({
      seeds: [0, 16, 4294967295],
      lr: 0.001,
      alphas: [16, 0.5],
    });
    expect(parseSpecText('{"seeds": [3], "lr": 3e-4, "phases": [{"seed": 7}]}', 'spec')).toEqual({
      seeds: [3],
      lr: 0.0003,
      phases: [{ seed: 7 }],
    });
    // A quoted seed stays a string, for the schema to refuse as the wrong type.
    expect(parseSpecText('seeds: ["0x10"]\n', 'spec')).toEqual({ seeds: ['0x10'] });
  });

  it('throws the parser error for text that is neither', () => {
    expect(() => parseSpecText('seeds: [0, 1\n', 'spec')).toThrow();
  });
});
