/**
 * Alignment search on the planted model: the subspace recovers the planted direction from a random
 * start, its interchange and its steering set switch the rows, an interchange with each row's own
 * value changes nothing, and α = 0 is the identity.
 */
import { stream } from '@memgen/common';
import {
  createParams,
  disposeInput,
  GPT,
  initialWeights,
  leftPad,
  resolveGPTConfig,
  toForwardInput,
} from '@memgen/model';
import { useTestBackend } from '@memgen/tensor';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { learnConfigSchema } from './config.js';
import { interchangeTokens, learnSubspace, orthonormalise, withInterchange } from './das.js';
import { coordinatesIn, fitSubspace, randomBasis, subspaceSets } from './das-learned.js';
import { countWith } from './learn-pair.js';
import { cosine, PLANTED, plantedModel, plantedPairs } from './planted.test-support.js';
import { lastRows } from './site-rows.js';
import { trainingSplit } from './split.js';

const HOOK = 'blocks.1.resid_post';
const cfg = learnConfigSchema.parse({ rate: 0.1 });

beforeAll(async () => {
  await useTestBackend();
});

describe('distributed alignment search', () => {
  it('recovers the planted direction from a random start (|cosine| ≥ 0.9), and its interchange switches every row', () => {
    const { model, d } = plantedModel();
    const split = trainingSplit(model, 0, plantedPairs(8), null);
    const W = d.length;
    const rng = stream(4, 'test/das-random-start');
    const init = Float32Array.from({ length: W }, () => rng.normal());
    expect(Math.abs(cosine(init, d))).toBeLessThan(0.5);
    const [memRows, genRows] = [
      lastRows(model, split.mem.input, HOOK),
      lastRows(model, split.gen.input, HOOK),
    ];
    const moves = [
      { input: split.mem.input, sources: genRows, targets: split.mem.partner },
      { input: split.gen.input, sources: memRows, targets: split.gen.partner },
    ];
    const basis = learnSubspace(model, { hook: HOOK, moves, init }, cfg, 150);
    expect(Math.abs(cosine(basis, d))).toBeGreaterThanOrEqual(0.9);
    expect(interchangeTokens(model, HOOK, basis, moves[0]!)).toEqual(split.mem.partner);
    expect(interchangeTokens(model, HOOK, basis, moves[1]!)).toEqual(split.gen.partner);
    split.dispose();
    model.dispose();
  });

  it('the fit steers: setting the coordinates to the other class mean switches every member, α = 0 none', () => {
    const { model } = plantedModel();
    const split = trainingSplit(model, 0, plantedPairs(8), null);
    const fit = fitSubspace(model, split, HOOK, 2, { cfg, steps: 40, rng: stream(5, 'test/das-fit') });
    expect(fit.interchange.memToGen.switched).toBe(8);
    expect(fit.interchange.genToMem.switched).toBe(8);
    // Every row is ±c·d, so the shift to the other class mean is 2c along d.
    expect(fit.shift.toGen).toBeCloseTo(2 * PLANTED.scale, 3);
    const sets = subspaceSets(HOOK, fit, 1, 'prompt');
    expect(countWith(model, split.mem, sets.toGen).switched).toBe(8);
    expect(countWith(model, split.gen, sets.toMem).switched).toBe(8);
    const idle = subspaceSets(HOOK, fit, 0, 'prompt');
    expect(countWith(model, split.mem, idle.toGen).kept).toBe(8);
    split.dispose();
    model.dispose();
  });

  it('refuses a site where the class means coincide, naming it', () => {
    const { model } = plantedModel(); // every attention output is zero
    const split = trainingSplit(model, 0, plantedPairs(4), null);
    expect(() =>
      fitSubspace(model, split, 'blocks.0.attn.out', 1, { cfg, steps: 1, rng: stream(6, 'test/das-none') }),
    ).toThrow(/alignment search at 'blocks.0.attn.out': the class means coincide/);
    split.dispose();
    model.dispose();
  });

  it('an interchange with each row’s own value changes no logit', () => {
    const config = resolveGPTConfig({ preset: 'nano', vocabSize: 12, nCtx: 8 });
    const model = new GPT(config, createParams(config, initialWeights(config, 7)));
    const rng = stream(8, 'test/das-own');
    const seqs = Array.from({ length: 5 }, (_, r) =>
      Array.from({ length: 3 + (r % 3) }, () => rng.int(1, 11)),
    );
    const input = toForwardInput(leftPad(seqs, 0));
    const plain = model.forward(input);
    for (const hook of ['blocks.0.attn.out', 'blocks.1.mlp.out', 'blocks.0.resid_post']) {
      const W = model.hooks.point(hook).width;
      const basis = tf.tensor2d(randomBasis(3, W, rng), [3, W]);
      const own = tf.tensor2d(lastRows(model, input, hook), [seqs.length, W]);
      const moved = withInterchange(model, hook, basis, own, () => model.forward(input));
      expect(moved.dataSync(), hook).toEqual(plain.dataSync());
      tf.dispose([basis, own, moved]);
    }
    expect(model.hooks.size).toBe(0);
    plain.dispose();
    disposeInput(input);
    model.dispose();
  });

  it('orthonormalises rows, gives coordinates in them, and refuses a dependent row', () => {
    const b = orthonormalise(Float32Array.from([3, 0, 0, 1, 1, 0]), 3);
    expect([...b].map((x) => Number(x.toFixed(6)))).toEqual([1, 0, 0, 0, 1, 0]);
    expect(coordinatesIn(b, Float32Array.from([2, -5, 7]))).toEqual([2, -5]);
    expect(() => orthonormalise(Float32Array.from([1, 2, 0, 2, 4, 0]), 3)).toThrow(/row 1 lies in the span/);
  });
});
