import * as tf from '@tensorflow/tfjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { causalSelfAttention } from '../fused/index.js';
import { FUSED_KERNELS, hasFusedKernel } from './fused-ops.js';
import { expectClose, expectSameAsCpu, randomTensor, useNative, withoutNativeKernels } from './testing.js';

beforeEach(async () => {
  await useNative();
});

// Per sequence, real (1) and padding (0) keys, left-padded as the model pads: all real, two pads,
// and a sequence of padding only (every query sees no key: uniform weights, as the −1e9 bias gives).
const MASK = [
  [1, 1, 1, 1, 1, 1, 1],
  [0, 0, 1, 1, 1, 1, 1],
  [0, 0, 0, 0, 0, 0, 0],
];
const [B, T, D, H] = [3, 7, 12, 3];

/** z and dL/dqkv for L = Σ z ∘ w, with the given inputs. */
function attentionAndGrad(qkv: tf.Tensor2D, mask: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor[] {
  const f = (x: tf.Tensor) => causalSelfAttention(x as tf.Tensor2D, mask, H);
  return [f(qkv), tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(x), w)))(qkv)];
}

function inputs(scale = 2) {
  return {
    qkv: randomTensor([B * T, 3 * D], 21, -scale, scale) as tf.Tensor2D,
    mask: tf.tensor2d(MASK),
    w: randomTensor([B * T, D], 22) as tf.Tensor2D,
  };
}

describe('fused causal self-attention', () => {
  it('matches the composite path on cpu in value and gradient, padding and empty rows included', async () => {
    await expectSameAsCpu(
      () => {
        const { qkv, mask, w } = inputs();
        return attentionAndGrad(qkv, mask, w);
      },
      { rtol: 2e-5, atol: 2e-6 },
    );
  });

  it('matches the composite path on the same engine (kernels unregistered)', async () => {
    const run = () =>
      tf.tidy(() => {
        const { qkv, mask, w } = inputs(4);
        return attentionAndGrad(qkv, mask, w).map((t) => t.dataSync().slice());
      });
    const fused = run();
    const names = [FUSED_KERNELS.attention, FUSED_KERNELS.attentionGrad];
    const composite = await withoutNativeKernels(names, () => {
      expect(hasFusedKernel(FUSED_KERNELS.attention)).toBe(false);
      return run();
    });
    expect(hasFusedKernel(FUSED_KERNELS.attention)).toBe(true);
    for (const [i, values] of fused.entries()) expectClose(values, composite[i]!, { rtol: 2e-5, atol: 2e-6 });
  });

  it('a real query sees only itself and earlier real keys: changing a later or padded key changes nothing', async () => {
    const { qkv, mask } = inputs();
    const base = causalSelfAttention(qkv, mask, H).arraySync() as number[][];
    // Perturb k and v of position 4 of sequence 0, and of the padded position 0 of sequence 1.
    const bump = tf.buffer([B * T, 3 * D], 'float32', qkv.dataSync().slice() as Float32Array);
    for (const row of [0 * T + 4, 1 * T + 0]) for (let c = D; c < 3 * D; c++) bump.set(9, row, c);
    const after = causalSelfAttention(bump.toTensor() as tf.Tensor2D, mask, H).arraySync() as number[][];
    for (let t = 0; t < 4; t++) expect(after[t]).toEqual(base[t]);
    expect(after[4]).not.toEqual(base[4]);
    // Sequence 1's padding queries (positions 0, 1) see no key and average all of them.
    for (let t = 2; t < T; t++) expect(after[T + t]).toEqual(base[T + t]);
    expect(after[T]).not.toEqual(base[T]);
  });

  it('gives the same bits on 1 and 2 threads', async () => {
    const once = async (threads: number) => {
      await useNative(threads);
      const { qkv, mask, w } = inputs();
      return attentionAndGrad(qkv, mask, w).map((t) => Array.from(t.dataSync()));
    };
    expect(await once(2)).toEqual(await once(1));
  });

  it('rejects a projection that is not [batch·seq, 3·width] with heads dividing the width', () => {
    const mask = tf.ones([2, 4]) as tf.Tensor2D;
    expect(() => causalSelfAttention(tf.zeros([8, 13]) as tf.Tensor2D, mask, 1)).toThrow(/qkv must be/);
    expect(() => causalSelfAttention(tf.zeros([8, 12]) as tf.Tensor2D, mask, 3)).toThrow(/heads must divide/);
    expect(() => causalSelfAttention(tf.zeros([7, 12]) as tf.Tensor2D, mask, 2)).toThrow(/qkv must be/);
  });
});
