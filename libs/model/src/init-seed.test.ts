/** The seed range of GPT-2 initialisation and the stream it draws from. */
import { SEED_MAX, stream } from '@memgen/common';
import { describe, expect, it } from 'vitest';
import { resolveGPTConfig } from './config.js';
import { INIT_PURPOSE, initialWeights, parameterCount } from './params.js';

const config = resolveGPTConfig({ preset: 'nano', vocabSize: 12, nCtx: 8 });

describe('initialisation seeds', () => {
  it("draws from the stream (seed, 'model/init'): the token embedding starts with its first normals", () => {
    const rng = stream(3, INIT_PURPOSE);
    const [u1, u2] = [1 - rng.float(), rng.float()];
    const r = Math.sqrt(-2 * Math.log(u1)) * config.initStd;
    const wte = initialWeights(config, 3).get('transformer.wte.weight')!;
    expect(wte[0]).toBe(Math.fround(r * Math.cos(2 * Math.PI * u2)));
    expect(wte[1]).toBe(Math.fround(r * Math.sin(2 * Math.PI * u2)));
    expect(initialWeights(config, 4).get('transformer.wte.weight')).not.toEqual(wte);
  });

  it('initialWeights refuses seeds outside the range every seed is held to, naming it', () => {
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
