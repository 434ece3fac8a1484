import { useTestBackend } from '@memgen/tensor';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { lmLoss, makeTrainBatch, trainStep } from './loss.js';
import { AdamW, clipByGlobalNorm, learningRate } from './optim.js';
import { newVariable } from './params.js';
import { nanoModel, prompts } from './test-models.js';

beforeAll(async () => {
  await useTestBackend();
});

describe('training primitives', () => {
  it('AdamW matches a hand-computed step on a 2-parameter example', () => {
    const p = newVariable(tf.tensor1d([1, -2]), true, 'p');
    const opt = new AdamW(new Map([['w.weight', p]]), {
      lr: 0.1,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      weightDecay: 0.5,
    });
    const g = tf.tensor1d([0.5, -0.25]);
    opt.apply(new Map([['w.weight', g]]), 0.1);
    // Step 1: m = 0.1g, v = 0.001g², m̂ = g, v̂ = g², update = g/|g| = sign(g) (eps negligible).
    // p ← p − lr·wd·p − lr·sign(g) = p·(1 − 0.05) − 0.1·sign(g)
    const step1 = p.dataSync();
    expect(step1[0]).toBeCloseTo(1 * 0.95 - 0.1, 6);
    expect(step1[1]).toBeCloseTo(-2 * 0.95 + 0.1, 6);
    opt.apply(new Map([['w.weight', tf.tensor1d([0.5, 0.25])]]), 0.1);
    // Step 2 for coordinate 0 (same gradient again): m̂ = 0.5, v̂ = 0.25 → update 1.
    // Coordinate 1: m = 0.9·(0.1·−0.25) + 0.1·0.25 = 0.0025, m̂ = 0.0025/0.19;
    // v = 0.999·0.001·0.0625 + 0.001·0.0625, v̂ = v/(1 − 0.999²).
    const m1 = 0.0025 / 0.19;
    const v1 = (0.999 * 0.001 * 0.0625 + 0.001 * 0.0625) / (1 - 0.999 ** 2);
    const step2 = p.dataSync();
    expect(step2[0]).toBeCloseTo((1 * 0.95 - 0.1) * 0.95 - 0.1, 6);
    expect(step2[1]).toBeCloseTo((-2 * 0.95 + 0.1) * 0.95 - 0.1 * (m1 / (Math.sqrt(v1) + 1e-8)), 6);
    expect(opt.step).toBe(2);
    opt.reset();
    expect(opt.step).toBe(0);
    expect(Array.from(opt.m.get('w.weight')?.dataSync() ?? [])).toEqual([0, 0]);
    opt.dispose();
    p.dispose();
  });

  it('warm-up rises linearly, cosine decays to the floor', () => {
    const s = { lr: 1e-3, warmupSteps: 10, totalSteps: 110, minLr: 1e-4 };
    expect(learningRate(0, s)).toBeCloseTo(1e-4, 12);
    expect(learningRate(9, s)).toBeCloseTo(1e-3, 12);
    expect(learningRate(60, s)).toBeCloseTo((1e-3 + 1e-4) / 2, 12);
    expect(learningRate(110, s)).toBeCloseTo(1e-4, 12);
    expect(learningRate(500, s)).toBeCloseTo(1e-4, 12);
  });

  it('clips by global norm exactly as torch clip_grad_norm_', () => {
    const grads = new Map([
      ['a', tf.tensor1d([3, 0])],
      ['b', tf.tensor1d([0, 4])],
    ]);
    const { norm, grads: out } = clipByGlobalNorm(grads, 1);
    expect(norm).toBeCloseTo(5, 6);
    expect(Array.from(out.get('a')?.dataSync() ?? [])[0]).toBeCloseTo(0.6, 5);
    expect(Array.from(out.get('b')?.dataSync() ?? [])[1]).toBeCloseTo(0.8, 5);
  });

  it('labels are the next tokens and pads carry no weight', () => {
    const b = makeTrainBatch(
      [
        [5, 6, 7],
        [8, 9],
      ],
      0,
    );
    expect(Array.from(b.input.tokens)).toEqual([5, 6, 0, 8]);
    expect(Array.from(b.labels)).toEqual([6, 7, 0, 9]);
    expect(Array.from(b.weights)).toEqual([1, 1, 0, 1]);
    const w = makeTrainBatch(
      [
        [5, 6, 7, 1],
        [8, 9, 1],
      ],
      0,
      { answerTokens: [2, 1], answerWeight: 4, promptWeight: 0.5 },
    );
    expect(Array.from(w.labels)).toEqual([6, 7, 1, 0, 9, 1]);
    expect(Array.from(w.weights)).toEqual([0.5, 4, 4, 0, 0.5, 4]);
  });

  it('analytic gradients match central finite differences on a nano model', () => {
    const model = nanoModel(11);
    const batch = makeTrainBatch(prompts(4, 23, 5, 9), 0);
    const vars = [...model.params.values()];
    const { grads, value } = tf.variableGrads(() => lmLoss(model, batch), vars);
    value.dispose();
    const eps = 1e-2;
    let checked = 0;
    for (const name of [
      'transformer.wte.weight',
      'transformer.h.0.attn.c_attn.weight',
      'transformer.h.1.mlp.c_fc.bias',
      'transformer.h.1.ln_2.weight',
      'transformer.ln_f.bias',
    ]) {
      const v = model.params.get(name) as tf.Variable;
      const g = grads[v.name]?.dataSync() as Float32Array;
      // The coordinate with the largest gradient: its finite difference is far above float32 noise.
      let at = 0;
      for (let i = 1; i < g.length; i++) if (Math.abs(g[i] as number) > Math.abs(g[at] as number)) at = i;
      const base = Float32Array.from(v.dataSync() as Float32Array);
      const lossAt = (delta: number) => {
        const moved = Float32Array.from(base);
        moved[at] = (moved[at] as number) + delta;
        v.assign(tf.tensor(moved, v.shape));
        const l = lmLoss(model, batch);
        const out = l.dataSync()[0] as number;
        l.dispose();
        return out;
      };
      const fd = (lossAt(eps) - lossAt(-eps)) / (2 * eps);
      v.assign(tf.tensor(base, v.shape));
      expect(Math.abs(fd - (g[at] as number)) / Math.abs(g[at] as number), name).toBeLessThan(3e-2);
      checked++;
    }
    expect(checked).toBe(5);
    for (const t of Object.values(grads)) t.dispose();
    model.dispose();
  });

  it('a nano model memorises a tiny batch (loss < 0.05) within 300 steps', () => {
    const model = nanoModel(1);
    const opt = new AdamW(model.params, { lr: 1e-2, beta1: 0.9, beta2: 0.98, eps: 1e-8, weightDecay: 0 });
    const batch = makeTrainBatch(prompts(4, 23, 6, 8), 0);
    let loss = Infinity;
    let steps = 0;
    while (loss >= 0.05 && steps < 300) {
      loss = trainStep(model, opt, batch, 1e-2).loss;
      steps++;
    }
    console.log(`nano memorised the batch in ${steps} steps (loss ${loss.toFixed(4)})`);
    expect(loss).toBeLessThan(0.05);
    const before = tf.memory().numTensors;
    trainStep(model, opt, batch, 1e-2);
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    model.dispose();
  });
});
