import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestBackend } from '../testing.js';
import { softmaxCrossEntropy } from './cross-entropy.js';
import { gelu } from './gelu.js';
import { layerNorm } from './layer-norm.js';
import { columnSum, linear } from './linear.js';

beforeAll(async () => {
  await useTestBackend();
});

const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

/** Compares a fused op's value and input gradients with autodiff through the plain composite. */
function expectSameAsComposite(
  fused: (...xs: tf.Tensor[]) => tf.Tensor,
  composite: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: tf.Tensor[],
  tol = 1e-5,
): void {
  const up = rand(fused(...inputs).shape, 99);
  const scalar =
    (f: (...xs: tf.Tensor[]) => tf.Tensor) =>
    (...xs: tf.Tensor[]) =>
      tf.sum(tf.mul(f(...xs), up));
  const a = tf.grads(scalar(fused))(inputs);
  const b = tf.grads(scalar(composite))(inputs);
  const close = (x: tf.Tensor, y: tf.Tensor) => {
    const d = tf.max(tf.div(tf.abs(tf.sub(x, y)), tf.add(tf.abs(y), 1))).dataSync()[0] as number;
    expect(d).toBeLessThan(tol);
  };
  close(fused(...inputs), composite(...inputs));
  for (const [i, g] of a.entries()) close(g, b[i] as tf.Tensor);
}

describe('fused operations equal their composites (value and gradient)', () => {
  it('gelu (tanh approximation)', () => {
    const c = Math.sqrt(2 / Math.PI);
    const ref = (x: tf.Tensor) =>
      tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(c, tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))));
    expectSameAsComposite(
      (x) => gelu(x as tf.Tensor),
      (x) => ref(x as tf.Tensor),
      [tf.mul(rand([9, 13], 1), 3)],
    );
    // Golden values of GPT-2's gelu_new: gelu(1) = 0.841192, gelu(-1) = -0.158808.
    const v = gelu(tf.tensor1d([1, -1, 0])).dataSync();
    expect(v[0]).toBeCloseTo(0.841192, 5);
    expect(v[1]).toBeCloseTo(-0.158808, 5);
    expect(v[2]).toBe(0);
  });

  it('layerNorm', () => {
    const ref = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(x, -1, true);
      return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
    };
    expectSameAsComposite(
      (x, g, b) => layerNorm(x as tf.Tensor, g as tf.Tensor1D, b as tf.Tensor1D),
      (x, g, b) => ref(x as tf.Tensor, g as tf.Tensor, b as tf.Tensor),
      [rand([2, 5, 8], 1), rand([8], 2), rand([8], 3)],
      1e-4,
    );
  });

  it('linear and columnSum', () => {
    expectSameAsComposite(
      (x, w, b) => linear(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D),
      (x, w, b) => tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b as tf.Tensor),
      [rand([11, 6], 1), rand([6, 4], 2), rand([4], 3)],
    );
    expectSameAsComposite(
      (x, w, b) => linear(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D),
      (x, w, b) => tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b as tf.Tensor),
      [rand([11, 3], 4), rand([3, 7], 5), rand([7], 6)],
    );
    expect(
      Array.from(
        columnSum(
          tf.tensor2d([
            [1, 2],
            [3, 4],
            [5, 6],
          ]),
        ).dataSync(),
      ),
    ).toEqual([9, 12]);
  });

  it('softmaxCrossEntropy: weighted mean, pads ignored, closed-form gradient', () => {
    const labels = tf.tensor1d([2, 0, 4, 1], 'int32');
    const weights = tf.tensor1d([1, 0, 1, 1]);
    const ref = (lg: tf.Tensor) => {
      const ce = tf.neg(
        tf.sum(tf.mul(tf.logSoftmax(lg as tf.Tensor2D), tf.oneHot(labels, 5).cast('float32')), 1),
      );
      return tf.div(tf.sum(tf.mul(ce, weights)), tf.sum(weights));
    };
    expectSameAsComposite((lg) => softmaxCrossEntropy(lg as tf.Tensor2D, labels, weights), ref, [
      rand([4, 5], 1),
    ]);
    // Uniform logits: the loss is ln V whatever the labels.
    expect(softmaxCrossEntropy(tf.zeros([4, 5]), labels, weights).dataSync()[0]).toBeCloseTo(Math.log(5), 6);
  });
});
