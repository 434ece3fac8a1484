import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchIndex } from './kernels/matmul.js';
import { expectClose, expectSameAsCpu, randomTensor, runNative, runOn, useNative } from './testing.js';

// Tolerance: float32 GEMM (OpenBLAS, FMA, blocked summation order) vs the JS kernel's order,
// inputs in [-1, 1]: a few ulp of the dot product's magnitude (≤ √k).
const TOL = { rtol: 1e-4, atol: 1e-4 };

beforeAll(async () => {
  await useNative();
});

/** Shapes of a and b for a product [batch…, m, n] with inner size k. */
function shapes(
  batchA: number[],
  batchB: number[],
  m: number,
  n: number,
  k: number,
  ta: boolean,
  tb: boolean,
) {
  return {
    a: [...batchA, ...(ta ? [k, m] : [m, k])],
    b: [...batchB, ...(tb ? [n, k] : [k, n])],
  };
}

describe('native BatchMatMul matches the cpu backend', () => {
  const batches: [number[], number[]][] = [
    [[], []],
    [[3], [3]],
    [[3], []],
    [[], [4]],
    [[2, 3], [3]],
    [[2, 3], [1]],
  ];
  const dims: [number, number, number][] = [
    [1, 1, 1],
    [7, 5, 3],
    [13, 1, 17],
    [1, 9, 4],
  ];
  for (const [batchA, batchB] of batches) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        it(`batch ${JSON.stringify(batchA)}×${JSON.stringify(batchB)} transposeA=${ta} transposeB=${tb}`, async () => {
          for (const [m, n, k] of dims) {
            const s = shapes(batchA, batchB, m, n, k, ta, tb);
            await expectSameAsCpu(() => tf.matMul(randomTensor(s.a, 1), randomTensor(s.b, 2), ta, tb), TOL);
          }
        });
      }
    }
  }

  // The cpu kernel pairs batches modulo their counts, which is wrong when both sides broadcast;
  // the reference here broadcasts the inputs explicitly first.
  it('broadcasts batch axes on both sides ([2,1]×[1,3], [2,1,2]×[1,2,1])', async () => {
    for (const [batchA, batchB, outBatch] of [
      [
        [2, 1],
        [1, 3],
        [2, 3],
      ],
      [
        [2, 1, 2],
        [1, 2, 1],
        [2, 2, 2],
      ],
    ]) {
      for (const [ta, tb] of [
        [false, false],
        [true, true],
        [true, false],
      ] as const) {
        const s = shapes(batchA!, batchB!, 5, 3, 4, ta, tb);
        const full = shapes(outBatch!, outBatch!, 5, 3, 4, ta, tb);
        const reference = await runOn('cpu', () =>
          tf.matMul(
            tf.broadcastTo(randomTensor(s.a, 1), full.a),
            tf.broadcastTo(randomTensor(s.b, 2), full.b),
            ta,
            tb,
          ),
        );
        const run = await runNative(() => tf.matMul(randomTensor(s.a, 1), randomTensor(s.b, 2), ta, tb));
        expect([run.ran, run.declined]).toEqual([['BatchMatMul'], []]);
        const [actual] = run.outputs;
        expect(actual!.shape).toEqual([...outBatch!, 5, 3]);
        expectClose(actual!.values, reference[0]!.values, TOL);
      }
    }
  });

  it('folds [B, T, C]·[C, D] into one GEMM with the same result', async () => {
    await expectSameAsCpu(() => tf.matMul(randomTensor([4, 16, 24], 3), randomTensor([24, 40], 4)), TOL);
  });

  it('handles empty products (m = 0, n = 0, k = 0, batch = 0)', async () => {
    const [km] = await expectSameAsCpu(() => tf.matMul(tf.zeros([3, 0]), tf.zeros([0, 4])));
    expect(Array.from(km!.values)).toEqual(new Array(12).fill(0));
    await expectSameAsCpu(() => tf.matMul(tf.zeros([0, 5]), randomTensor([5, 4], 1)));
    await expectSameAsCpu(() => tf.matMul(randomTensor([3, 5], 1), tf.zeros([5, 0])));
    await expectSameAsCpu(() => tf.matMul(tf.zeros([0, 3, 5]), randomTensor([0, 5, 4], 1)));
  });

  it('is right on a large product (threaded BLAS path)', async () => {
    await expectSameAsCpu(
      () => tf.matMul(randomTensor([96, 300], 5), randomTensor([300, 200], 6), false, false),
      {
        rtol: 1e-4,
        atol: 5e-4,
      },
    );
  });

  it('gives the same gradients of a batched, transposed product', async () => {
    await expectSameAsCpu(() => {
      const a = randomTensor([2, 3, 6, 5], 7);
      const b = randomTensor([2, 3, 4, 5], 8);
      const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.square(tf.matMul(x, y, false, true))),
      )([a, b]);
      return [da!, db!];
    }, TOL);
  });

  it('falls back to the JS kernel for int32 inputs', async () => {
    const [out] = await expectSameAsCpu(
      () => tf.matMul(tf.tensor2d([[1, 2]], [1, 2], 'int32'), tf.tensor2d([[3], [4]], [2, 1], 'int32')),
      { fallback: true },
    );
    expect(Array.from(out!.values)).toEqual([11]);
  });

  it('rejects mismatched inner sizes with the tfjs message', () => {
    expect(() => tf.matMul(tf.zeros([2, 3]), tf.zeros([4, 2]))).toThrow(/inner shapes/);
  });
});

describe('batchIndex', () => {
  it('maps each broadcast batch position to the matrix of each side', () => {
    expect(Array.from(batchIndex([2, 3], [2, 1]))).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Array.from(batchIndex([2, 3], [3]))).toEqual([0, 1, 2, 0, 1, 2]);
    expect(Array.from(batchIndex([2, 3], []))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(batchIndex([], []))).toEqual([0]);
  });
});
