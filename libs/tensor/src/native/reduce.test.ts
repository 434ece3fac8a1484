import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { expectSameAsCpu, randomTensor, useNative } from './testing.js';

beforeAll(async () => {
  await useNative();
});

// Tolerance: float32 accumulation in a different order (8 partial sums) vs the JS kernel's
// double accumulator; values in [-1, 1], so errors scale with √n·ulp.
const SUM = { rtol: 1e-5, atol: 1e-5 };

const reductions: [string, (x: tf.Tensor, axis: number | number[], keepDims: boolean) => tf.Tensor][] = [
  ['sum', tf.sum],
  ['mean', tf.mean],
  ['max', tf.max],
  ['min', tf.min],
  ['prod', tf.prod],
];

const axesCases: [number[], number | number[]][] = [
  [[7], 0],
  [[4, 9], 1],
  [[4, 9], 0],
  [
    [4, 9],
    [0, 1],
  ],
  [[3, 4, 5], 1],
  [
    [3, 4, 5],
    [0, 2],
  ],
  [
    [3, 4, 5],
    [1, 2],
  ],
  [
    [2, 3, 4, 5],
    [0, 2],
  ],
  [
    [2, 3, 4, 5],
    [1, 3],
  ],
  [[2, 3, 4, 5], -1],
];

describe('native reductions match the cpu backend', () => {
  for (const [name, op] of reductions) {
    it(name, async () => {
      for (const [shape, axis] of axesCases) {
        for (const keepDims of [false, true]) {
          // prod over many values in [-1, 1] underflows; a range around 1 keeps it meaningful.
          const [lo, hi] = name === 'prod' ? [0.8, 1.25] : [-1, 1];
          await expectSameAsCpu(() => op(randomTensor(shape, 11, lo, hi), axis, keepDims), SUM);
        }
      }
    });
  }

  it('large reductions along each end (threaded paths)', async () => {
    await expectSameAsCpu(() => tf.sum(randomTensor([512, 384], 12), 0), { rtol: 1e-5, atol: 5e-5 });
    await expectSameAsCpu(() => tf.sum(randomTensor([512, 384], 12), 1), { rtol: 1e-5, atol: 5e-5 });
    await expectSameAsCpu(() => tf.max(randomTensor([4, 5000, 8], 13), 1), SUM);
  });

  it('falls back for int32 and empty reductions', async () => {
    const fallback = { fallback: true };
    await expectSameAsCpu(() => tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), 1), fallback);
    await expectSameAsCpu(() => tf.sum(tf.zeros([0, 3]), 0), fallback);
    await expectSameAsCpu(() => tf.sum(tf.zeros([2, 0]), 1), fallback);
    for (const [, op] of reductions) {
      for (const keepDims of [false, true]) {
        await expectSameAsCpu(() => op(randomTensor([3, 0, 2], 11), 0, keepDims), { ...SUM, ...fallback });
      }
    }
  });
});

describe('native softmax matches the cpu backend', () => {
  it('over the last axis, odd and large sizes, and its gradient', async () => {
    const tol = { rtol: 2e-6, atol: 1e-7 };
    for (const shape of [[5], [3, 1], [4, 7], [2, 3, 513]]) {
      await expectSameAsCpu(() => tf.softmax(randomTensor(shape, 14, -8, 8)), tol);
    }
    await expectSameAsCpu(() => tf.softmax(randomTensor([256, 1000], 15, -20, 20)), tol);
    await expectSameAsCpu(() => tf.logSoftmax(randomTensor([6, 9], 16, -8, 8)), { rtol: 1e-5, atol: 1e-6 });
    await expectSameAsCpu(
      () =>
        tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.softmax(x), randomTensor([4, 7], 18))))(
          randomTensor([4, 7], 17),
        ),
      { rtol: 1e-5, atol: 1e-6 },
    );
  });
});
