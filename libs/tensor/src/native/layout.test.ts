import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyPlan } from './kernels/plans.js';
import { expectSameAsCpu, randomTensor, useNative } from './testing.js';

beforeAll(async () => {
  await useNative();
});

// Layout kernels copy bits: results must be identical (tolerance 0).
const EXACT = { rtol: 0, atol: 0 };
const ints = (shape: number[]) =>
  tf.tensor(
    Array.from({ length: shape.reduce((p, s) => p * s, 1) }, (_, i) => i * 7 - 3),
    shape,
    'int32',
  );

describe('native layout kernels match the cpu backend exactly', () => {
  it('transpose: every permutation of a rank-4 tensor, int32, empty, 2-D large', async () => {
    const perms = [
      [0, 1, 2, 3],
      [0, 2, 1, 3],
      [3, 2, 1, 0],
      [1, 3, 0, 2],
      [2, 0, 3, 1],
    ];
    for (const perm of perms)
      await expectSameAsCpu(() => tf.transpose(randomTensor([2, 3, 4, 5], 1), perm), EXACT);
    await expectSameAsCpu(() => tf.transpose(ints([3, 4, 2]), [2, 0, 1]), EXACT);
    await expectSameAsCpu(() => tf.transpose(tf.zeros([0, 3]), [1, 0]), EXACT);
    await expectSameAsCpu(() => tf.transpose(randomTensor([300, 257], 2)), EXACT);
    await expectSameAsCpu(() => tf.transpose(randomTensor([2, 37, 45], 2), [0, 2, 1]), EXACT);
    await expectSameAsCpu(() => tf.transpose(randomTensor([3, 5], 2), [0, 1]), EXACT);
  });

  it('slice, including int32 and empty slices', async () => {
    const x = () => randomTensor([4, 5, 6], 3);
    await expectSameAsCpu(() => tf.slice(x(), [1, 0, 2], [2, 5, 3]), EXACT);
    await expectSameAsCpu(() => tf.slice(x(), [0, 2, 0], [-1, 1, -1]), EXACT);
    await expectSameAsCpu(() => tf.slice(x(), [3, 4, 5], [1, 1, 1]), EXACT);
    await expectSameAsCpu(() => tf.slice(x(), [2, 0, 0], [0, 5, 6]), EXACT);
    await expectSameAsCpu(() => tf.slice(ints([6, 4]), [1, 1], [3, 2]), EXACT);
  });

  it('tile and broadcastTo', async () => {
    await expectSameAsCpu(() => tf.tile(randomTensor([2, 3], 4), [3, 2]), EXACT);
    await expectSameAsCpu(() => tf.tile(ints([2, 1, 3]), [1, 4, 1]), EXACT);
    await expectSameAsCpu(() => tf.broadcastTo(randomTensor([1, 3, 1], 5), [2, 3, 4]), EXACT);
  });

  it('pad (the gradient of slice), float32 and int32, with a constant', async () => {
    await expectSameAsCpu(
      () =>
        tf.pad(randomTensor([2, 3, 4], 20), [
          [1, 0],
          [0, 2],
          [3, 1],
        ]),
      EXACT,
    );
    await expectSameAsCpu(
      () =>
        tf.pad(
          ints([3, 2]),
          [
            [0, 1],
            [2, 2],
          ],
          7,
        ),
      EXACT,
    );
    await expectSameAsCpu(
      () =>
        tf.pad(
          tf.zeros([0, 2]),
          [
            [1, 1],
            [0, 0],
          ],
          1.5,
        ),
      EXACT,
    );
    await expectSameAsCpu(
      () =>
        tf.grad((x: tf.Tensor) => tf.sum(tf.square(tf.slice(x, [1, 0], [2, 3]))))(randomTensor([4, 5], 21)),
      { rtol: 1e-6, atol: 0 },
    );
  });

  it('concat along each axis, with int32 and empty parts', async () => {
    for (const axis of [0, 1, 2, -1]) {
      await expectSameAsCpu(
        () =>
          tf.concat(
            [randomTensor([2, 3, 4], 6), randomTensor([2, 3, 4], 7), randomTensor([2, 3, 4], 8)],
            axis,
          ),
        EXACT,
      );
    }
    await expectSameAsCpu(() => tf.concat([randomTensor([2, 1], 9), randomTensor([2, 5], 10)], 1), EXACT);
    await expectSameAsCpu(() => tf.concat([randomTensor([2, 0], 9), randomTensor([2, 5], 10)], 1), EXACT);
    await expectSameAsCpu(() => tf.concat([ints([3, 2]), ints([3, 1])], 1), EXACT);
  });

  it('split with equal and uneven sizes, and its gradient (concat)', async () => {
    await expectSameAsCpu(() => tf.split(randomTensor([4, 6, 3], 11), 3, 1), EXACT);
    await expectSameAsCpu(() => tf.split(randomTensor([4, 6, 3], 11), [1, 0, 2], 2), EXACT);
    await expectSameAsCpu(() => tf.split(ints([6, 2]), [4, 2], 0), EXACT);
    await expectSameAsCpu(
      () =>
        tf.grad((x: tf.Tensor) => {
          const [q, k] = tf.split(x, 2, -1);
          return tf.sum(tf.mul(q!, tf.square(k!)));
        })(randomTensor([3, 8], 12)),
      { rtol: 1e-6, atol: 0 },
    );
  });

  it('gather along each axis, int32 data, and its gradient (UnsortedSegmentSum)', async () => {
    const idx = () => tf.tensor2d([2, 0, 2, 1, 3, 0], [2, 3], 'int32');
    await expectSameAsCpu(() => tf.gather(randomTensor([4, 5], 13), idx()), EXACT);
    await expectSameAsCpu(() => tf.gather(randomTensor([3, 4, 2], 13), idx(), 1), EXACT);
    await expectSameAsCpu(() => tf.gather(ints([4, 3]), idx()), EXACT);
    await expectSameAsCpu(() => tf.gather(randomTensor([4, 5], 13), tf.tensor1d([], 'int32')), EXACT);
    await expectSameAsCpu(
      () =>
        tf.grad((table: tf.Tensor) => tf.sum(tf.mul(tf.gather(table, idx()), randomTensor([2, 3, 5], 14))))(
          randomTensor([4, 5], 15),
        ),
      { rtol: 1e-6, atol: 1e-7 },
    );
  });

  it('gather rejects an index out of range with the tfjs message', () => {
    expect(() => tf.gather(randomTensor([4, 5], 13), tf.tensor1d([1, 4], 'int32'))).toThrow(
      /GatherV2: the index value 4 is not in \[0, 3\]/,
    );
  });

  it('unsortedSegmentSum drops ids outside [0, numSegments) as the JS kernel does', async () => {
    await expectSameAsCpu(
      () => tf.unsortedSegmentSum(randomTensor([6, 3], 16), tf.tensor1d([0, 2, 7, 2, -1, 0], 'int32'), 4),
      { rtol: 1e-6, atol: 1e-7 },
    );
  });
});

describe('copyPlan', () => {
  it('merges axes that stay contiguous in the input', () => {
    expect(copyPlan([2, 3, 4], [12, 4, 1])).toEqual([24, 1]);
    expect(copyPlan([4, 3, 2], [1, 4, 12])).toEqual([4, 1, 3, 4, 2, 12]);
    expect(copyPlan([1, 5], [5, 1])).toEqual([5, 1]);
  });
});
