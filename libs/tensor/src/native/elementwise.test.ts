import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { broadcastPlan } from './kernels/plans.js';
import { expectSameAsCpu, randomTensor, useNative } from './testing.js';

beforeAll(async () => {
  await useNative();
});

// Tolerances: +, −, ×, ÷ are exact float32 operations on both sides (≤ 1 ulp from the JS
// kernel's double intermediate); exp/log/tanh/erf/pow come from glibc's vector math (≤ 4 ulp) vs
// JS Math in double, and the cpu backend's erf is itself a 1.5e-7 approximation.
const EXACT = { rtol: 2e-7, atol: 0 };
const MATH = { rtol: 2e-6, atol: 2e-7 };

const binaryOps: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
  ['add', tf.add],
  ['sub', tf.sub],
  ['mul', tf.mul],
  ['div', tf.div],
  ['squaredDifference', tf.squaredDifference],
  ['maximum', tf.maximum],
  ['minimum', tf.minimum],
];

const broadcasts: [number[], number[]][] = [
  [[5], [5]],
  [[], []],
  [[4, 3], []],
  [[], [4, 3]],
  [[2, 3, 4], [4]],
  [
    [2, 3, 4],
    [3, 1],
  ],
  [
    [2, 1, 4],
    [1, 3, 1],
  ],
  [
    [7, 1],
    [1, 5],
  ],
  [
    [2, 3, 1, 5],
    [3, 4, 1],
  ],
  [[1], [3, 2]],
  [[0, 3], [3]],
  [[2, 0], [1]],
];

describe('native binary ops match the cpu backend, with broadcasting', () => {
  for (const [name, op] of binaryOps) {
    it(name, async () => {
      for (const [sa, sb] of broadcasts) {
        // Divisors kept away from 0 so the relative tolerance is meaningful.
        await expectSameAsCpu(() => op(randomTensor(sa, 1), randomTensor(sb, 2, 0.5, 2)), EXACT);
      }
    });
  }

  it('pow on positive bases', async () => {
    await expectSameAsCpu(() => tf.pow(randomTensor([3, 5], 3, 0.1, 3), randomTensor([5], 4, -2, 2)), MATH);
  });

  it('a large broadcast add (threaded path)', async () => {
    await expectSameAsCpu(() => tf.add(randomTensor([64, 129, 33], 5), randomTensor([129, 1], 6)), EXACT);
  });

  it('falls back to the JS kernels for int32 and mixed dtypes', async () => {
    const [sum] = await expectSameAsCpu(
      () => tf.add(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([10, 20, 30], 'int32')),
      { fallback: true },
    );
    expect(sum!.dtype).toBe('int32');
    expect(Array.from(sum!.values)).toEqual([11, 22, 33]);
    await expectSameAsCpu(() => tf.mul(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([0.5, 1.5, 2.5])), {
      fallback: true,
    });
  });
});

const unaryOps: [string, (x: tf.Tensor) => tf.Tensor, number, number][] = [
  ['neg', tf.neg, -3, 3],
  ['exp', tf.exp, -10, 10],
  ['log', tf.log, 0.01, 100],
  ['tanh', tf.tanh, -6, 6],
  ['sqrt', tf.sqrt, 0, 100],
  ['rsqrt', tf.rsqrt, 0.01, 100],
  ['square', tf.square, -5, 5],
  ['abs', tf.abs, -5, 5],
  ['relu', tf.relu, -5, 5],
  ['sigmoid', tf.sigmoid, -12, 12],
  ['reciprocal', tf.reciprocal, 0.1, 10],
  ['erf', tf.erf, -3, 3],
  ['elu', tf.elu, -4, 4],
  ['leakyRelu', (x) => tf.leakyRelu(x, 0.1), -4, 4],
];

describe('native unary ops match the cpu backend', () => {
  for (const [name, op, lo, hi] of unaryOps) {
    it(name, async () => {
      for (const shape of [[], [1], [17], [3, 0], [4, 33]]) {
        await expectSameAsCpu(
          () => op(randomTensor(shape, 7, lo, hi)),
          name === 'erf' ? { rtol: 1e-5, atol: 3e-7 } : MATH,
        );
      }
    });
  }

  it('a large tanh (threaded path)', async () => {
    await expectSameAsCpu(() => tf.tanh(randomTensor([300_001], 8, -5, 5)), MATH);
  });

  it('gradients through a chain of native kernels', async () => {
    await expectSameAsCpu(() => {
      const x = randomTensor([4, 6], 9);
      const w = randomTensor([6], 10);
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.tanh(tf.add(a, b)), tf.exp(tf.div(a, tf.add(tf.square(b), 1))))),
      )([x, w]);
      return [dx!, dw!];
    }, MATH);
  });
});

describe('native AddN', () => {
  it('sums many float32 tensors and falls back for int32', async () => {
    await expectSameAsCpu(
      () => tf.addN([randomTensor([3, 4], 1), randomTensor([3, 4], 2), randomTensor([3, 4], 3)]),
      EXACT,
    );
    await expectSameAsCpu(() => tf.addN([tf.tensor1d([1, 2], 'int32'), tf.tensor1d([3, 4], 'int32')]), {
      fallback: true,
    });
  });
});

describe('broadcastPlan', () => {
  it('merges contiguous axes and marks broadcast axes with stride 0', () => {
    expect(broadcastPlan([2, 3, 4], [2, 3, 4], [2, 3, 4])).toEqual([24, 1, 1]);
    expect(broadcastPlan([2, 3, 4], [2, 3, 4], [4])).toEqual([6, 4, 0, 4, 1, 1]);
    expect(broadcastPlan([2, 3, 4], [2, 3, 1], [1, 1, 4])).toEqual([6, 1, 0, 4, 0, 1]);
    expect(broadcastPlan([], [], [])).toEqual([1, 0, 0]);
  });
});
