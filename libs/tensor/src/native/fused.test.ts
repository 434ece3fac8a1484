import * as tf from '@tensorflow/tfjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { fusedCases } from '../conformance/cases.js';
import { adamwUpdate, gelu, softmaxCrossEntropy } from '../fused/index.js';
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

  // Layer norm and linear (its bias sum spanning several row blocks at 700 rows): the shared
  // conformance cases, each value and its three gradients at the case's tolerance.
  it.each(fusedCases().filter((c) => /^(layer norm|linear) /.test(c.name)))('$name', async (c) => {
    await expectSameAsCpu(c.build, { rtol: c.rtol, atol: c.atol });
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
