/** The seed range of GPT-2 initialisation: what the generator really distinguishes, and the guard. */
import { SEED_MAX } from '@memgen/common';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { describe, expect, it } from 'vitest';
import { resolveGPTConfig } from './config.js';
import { initialWeights, parameterCount } from './params.js';

const config = resolveGPTConfig({ preset: 'nano', vocabSize: 12, nCtx: 8 });
const draws = (seed: number) => {
  const rng = xoroshiro128plus(seed);
  return Array.from({ length: 4 }, () => uniformFloat64(rng));
};

describe('initialisation seeds', () => {
  it('the generator keeps 32 bits: seeds 2^32 apart draw the same numbers, which is why SEED_MAX is 2^32 - 1', () => {
    expect(draws(5 + 2 ** 32)).toEqual(draws(5));
    expect(draws(SEED_MAX)).not.toEqual(draws(0));
    expect(draws(2 ** 31)).not.toEqual(draws(0));
  });

  it('initialWeights refuses seeds the generator would alias, naming the range', () => {
    for (const seed of [-5, 2 ** 32, 1.5])
      expect(() => initialWeights(config, seed)).toThrow(
        `GPT.init: seed must be an integer from 0 to 4294967295, got ${seed}`,
      );
    const top = initialWeights(config, SEED_MAX).get('transformer.wte.weight');
    const zero = initialWeights(config, 0).get('transformer.wte.weight');
    expect(top?.length).toBe(zero?.length);
    expect(top).not.toEqual(zero);
  });
});

describe('parameterCount', () => {
  it('counts every weight the model initialises, the tied unembedding once', () => {
    const c = resolveGPTConfig({ preset: 'nano', vocabSize: 30, nCtx: 12 });
    const drawn = [...initialWeights(c, 0).values()].reduce((n, w) => n + w.length, 0);
    expect(parameterCount(c)).toBe(drawn);
  });

  it("is GPT-2 small's 124 439 808 at its shape, vocabulary and context", () => {
    expect(parameterCount(resolveGPTConfig({ preset: 'gpt2-small', vocabSize: 50257, nCtx: 1024 }))).toBe(
      124_439_808,
    );
  });
});
