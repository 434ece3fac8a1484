import * as tf from '@tensorflow/tfjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { adamwUpdate, gelu, layerNorm, linear, softmaxCrossEntropy } from '../fused/index.js';
import { FUSED_KERNELS, hasFusedKernel } from './fused-ops.js';
import { expectSameAsCpu, randomTensor, useNative } from './testing.js';

// The reference is each fused op's composite tfjs path, run on the JavaScript cpu backend (which
// has no fused kernels). Tolerances: float32 with a different operation order (tanh vs sigmoid
// form of GELU, one-pass vs multi-kernel reductions): a few ulp of the values' scale.
const TOL = { rtol: 2e-5, atol: 2e-6 };

beforeEach(async () => {
  await useNative();
});

describe('native fused kernels match the composite paths', () => {
  it('are registered for native only', async () => {
    expect(hasFusedKernel(FUSED_KERNELS.gelu)).toBe(true);
    await tf.setBackend('cpu');
    expect(hasFusedKernel(FUSED_KERNELS.gelu)).toBe(false);
    await tf.setBackend('native');
  });

  it('gelu and its gradient', async () => {
    for (const shape of [[0], [7], [3, 129]]) {
      // The gradient of an empty tensor sums nothing: that Sum is the cpu kernel's.
      await expectSameAsCpu(
        () => {
          const x = randomTensor(shape, 1, -6, 6);
          const w = randomTensor(shape, 2);
          return [gelu(x), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gelu(t), w)))(x)];
        },
        { ...TOL, fallback: shape[0] === 0 },
      );
    }
  });

  it('layer norm and its three gradients', async () => {
    for (const shape of [
      [5, 33],
      [2, 3, 16],
      [1, 1],
    ]) {
      const d = shape[shape.length - 1]!;
      await expectSameAsCpu(
        () => {
          const x = randomTensor(shape, 3, -3, 3);
          const g = randomTensor([d], 4, 0.5, 1.5) as tf.Tensor1D;
          const b = randomTensor([d], 5) as tf.Tensor1D;
          const w = randomTensor(shape, 6);
          const f = (xs: tf.Tensor, gs: tf.Tensor, bs: tf.Tensor) =>
            tf.sum(tf.mul(layerNorm(xs, gs as tf.Tensor1D, bs as tf.Tensor1D), w));
          return [layerNorm(x, g, b), ...tf.grads(f)([x, g, b])];
        },
        { rtol: 1e-4, atol: 2e-5 },
      );
    }
  });

  it('linear layer and its three gradients, the bias sum spanning several row blocks', async () => {
    for (const [rows, inDim, outDim] of [
      [3, 5, 7],
      [700, 16, 33],
    ] as const) {
      await expectSameAsCpu(
        () => {
          const x = randomTensor([rows, inDim], 11) as tf.Tensor2D;
          const w = randomTensor([inDim, outDim], 12) as tf.Tensor2D;
          const b = randomTensor([outDim], 13) as tf.Tensor1D;
          const up = randomTensor([rows, outDim], 14);
          const f = (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) =>
            tf.sum(tf.mul(linear(xs as tf.Tensor2D, ws as tf.Tensor2D, bs as tf.Tensor1D), up));
          return [linear(x, w, b), ...tf.grads(f)([x, w, b])];
        },
        { rtol: 1e-4, atol: 1e-5 },
      );
    }
  });

  it('weighted softmax cross-entropy and its gradient, padding rows weighted 0', async () => {
    const labels = () => tf.tensor1d([3, 0, 9, 9, 1], 'int32');
    const weights = () => tf.tensor1d([1, 0, 2, 1, 0.5]);
    await expectSameAsCpu(() => {
      const logits = randomTensor([5, 10], 7, -8, 8) as tf.Tensor2D;
      const loss = (l: tf.Tensor) => softmaxCrossEntropy(l as tf.Tensor2D, labels(), weights());
      return [loss(logits), tf.grad(loss)(logits)];
    }, TOL);
  });

  it('softmax cross-entropy rejects bad labels clearly', async () => {
    await tf.setBackend('native');
    const logits = randomTensor([2, 4], 8) as tf.Tensor2D;
    const w = tf.ones([2]) as tf.Tensor1D;
    expect(() => softmaxCrossEntropy(logits, tf.tensor1d([0, 4], 'int32'), w)).toThrow(
      /label 4 at row 1 is not in \[0, 4\)/,
    );
    expect(() => softmaxCrossEntropy(logits, tf.tensor1d([0, 1], 'float32'), w)).toThrow(
      /labels must be int32/,
    );
  });

  it('AdamW over three steps, with and without weight decay', async () => {
    for (const weightDecay of [0, 0.1]) {
      await expectSameAsCpu(() => {
        const name = `${tf.getBackend()}-${weightDecay}`;
        const p = tf.variable(randomTensor([4, 33], 9), true, `p-${name}`);
        const m = tf.variable(tf.zeros([4, 33]), false, `m-${name}`);
        const v = tf.variable(tf.zeros([4, 33]), false, `v-${name}`);
        for (let step = 1; step <= 3; step++) {
          const g = randomTensor([4, 33], 10 + step);
          adamwUpdate(p, g, m, v, { lr: 1e-2, beta1: 0.9, beta2: 0.98, eps: 1e-8, weightDecay, step });
        }
        const out = [p.clone(), m.clone(), v.clone()];
        p.dispose();
        m.dispose();
        v.dispose();
        return out;
      }, TOL);
    }
  });
});
