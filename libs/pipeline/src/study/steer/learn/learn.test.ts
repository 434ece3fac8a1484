/**
 * The learners on a model whose answer depends on one planted direction: each recovers it, moves
 * the rows it was learned on, and adds nothing at norm 0; the steering set leaves out training
 * members.
 */
import { stream } from '@memgen/common';
import { disposeInput, leftPad, toForwardInput, withInterventions } from '@memgen/model';
import { useTestBackend } from '@memgen/tensor';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { firstTokens } from '../../patching/runs.js';
import { keptCount, restrict, topByAbsR } from '../plan/directions.js';
import { learnConfigSchema } from './config.js';
import { addVectorHook, learnVector } from './gradient.js';
import { countMoves, learnPair } from './learn-pair.js';
import { cosine, PLANTED, plantedModel, plantedPairs } from './planted.test-support.js';
import { summariseSite } from './site-rows.js';
import { memberPrompts, trainingSplit } from './split.js';

const HOOK = 'blocks.1.resid_post';
const cfg = learnConfigSchema.parse({ rate: 0.1 });

beforeAll(async () => {
  await useTestBackend();
});

describe('learned directions on a planted model', () => {
  it('the split keeps pairs whose members answer differently, with each row’s own and partner answer', () => {
    const { model } = plantedModel();
    const split = trainingSplit(model, 0, plantedPairs(6), null);
    expect(split.pairs).toBe(6);
    expect(split.mem.own).toEqual(Array(6).fill(PLANTED.tokenA));
    expect(split.mem.partner).toEqual(Array(6).fill(PLANTED.tokenB));
    expect(split.gen.own).toEqual(Array(6).fill(PLANTED.tokenB));
    split.dispose();
    model.dispose();
  });

  it('the difference of class means recovers the planted direction; |r| ranks its coordinates', () => {
    const { model, d } = plantedModel();
    const split = trainingSplit(model, 0, plantedPairs(8), null);
    const v = learnPair(
      model,
      split,
      HOOK,
      { learn: 'mean-diff', position: 'prompt' },
      2 * PLANTED.scale,
      cfg,
      0,
    );
    expect(cosine(v.toGen, d)).toBeLessThan(-0.99); // toward gen = toward B = −d
    expect(cosine(v.toMem, d)).toBeGreaterThan(0.99);
    expect(Math.hypot(...v.toGen)).toBeCloseTo(2 * PLANTED.scale, 4);
    const site = summariseSite(model, split, HOOK);
    // Every row is ±c·d exactly: each coordinate separates the classes perfectly, |r| = 1 where d ≠ 0.
    for (const r of site.absR) expect(r).toBeCloseTo(1, 4);
    expect(site.meanNorm).toBeCloseTo(PLANTED.scale, 4);
    split.dispose();
    model.dispose();
  });

  it('the gradient learner recovers the planted direction from a random start (|cosine| ≥ 0.9)', () => {
    const { model, d } = plantedModel();
    const split = trainingSplit(model, 0, plantedPairs(8), null);
    const rng = stream(3, 'test/random-start');
    const init = Float32Array.from(d, () => rng.normal());
    const v = learnVector(
      model,
      {
        hook: HOOK,
        position: 'prompt',
        move: { input: split.mem.input, targets: split.mem.partner },
        keep: null,
        norm: 2 * PLANTED.scale,
        init,
      },
      cfg,
      150,
    );
    expect(Math.abs(cosine(v, d))).toBeGreaterThanOrEqual(0.9);
    expect(cosine(v, d)).toBeLessThan(0);
    expect(countMoves(model, split.mem, HOOK, v, 'prompt').switched).toBe(8);
    split.dispose();
    model.dispose();
  });

  it('a zero vector through the same path changes no logit (the identity check)', () => {
    const { model } = plantedModel();
    const input = toForwardInput(
      leftPad(
        [
          [2, 6, PLANTED.tokenA],
          [3, 7, PLANTED.tokenB],
        ],
        0,
      ),
    );
    const run = (vector: Float32Array) => {
      const out = withInterventions(model, [{ kind: 'add', hook: HOOK, vector, position: 'prompt' }], () =>
        model.forward(input),
      );
      const data = Float32Array.from(out.dataSync() as Float32Array);
      out.dispose();
      return data;
    };
    const plain = model.forward(input);
    expect(run(new Float32Array(model.config.nEmbd))).toEqual(
      Float32Array.from(plain.dataSync() as Float32Array),
    );
    plain.dispose();
    expect(firstTokens(model, input)).toEqual([PLANTED.tokenA, PLANTED.tokenB]);
    disposeInput(input);
    model.dispose();
  });

  it('neuron restriction keeps the top k coordinates by |r| and zeroes the rest', () => {
    const absR = Float32Array.from([0.1, 0.9, 0.5, 0.9, 0.2]);
    expect(topByAbsR(absR, 3)).toEqual([1, 3, 2]);
    expect([...restrict(Float32Array.from([1, 2, 3, 4, 5]), [1, 3])]).toEqual([0, 2, 0, 4, 0]);
    expect([keptCount('all', 64), keptCount(4, 64), keptCount(0.05, 64), keptCount(0.001, 64)]).toEqual([
      64, 4, 3, 1,
    ]);
    expect(() => keptCount(65, 64)).toThrow(/keeps 65 coordinates, the site has 64/);
  });

  it('the training members are what the steering set must leave out', () => {
    const prompts = memberPrompts(plantedPairs(3));
    expect([...prompts].sort()).toEqual(['p0-4', 'p1-4', 'p1-5', 'p2-4', 'p2-5', 'p3-5']);
  });
});

describe('the gradient learner’s hook at a span', () => {
  it('adds the vector at each row’s span columns only, wherever padding puts the row', () => {
    const batch = leftPad(
      [
        [3, 4, 5, 6],
        [7, 3, 8],
      ],
      0,
    );
    const input = toForwardInput(batch);
    try {
      const v = tf.tensor1d([1, -2]);
      const span = (p: readonly number[]) => p.flatMap((t, j) => (t === 3 ? [j] : []));
      const x = tf.zeros([2, 4, 2]);
      const out = addVectorHook(v, { span })(x, input).arraySync() as number[][][];
      expect(out).toEqual([
        [
          [1, -2],
          [0, 0],
          [0, 0],
          [0, 0],
        ],
        [
          [0, 0],
          [0, 0],
          [1, -2],
          [0, 0],
        ],
      ]);
    } finally {
      disposeInput(input);
    }
  });
});
