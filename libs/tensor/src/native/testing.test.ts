import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSameAsCpu, randomTensor, runNative, useNative } from './testing.js';

beforeAll(async () => {
  await useNative();
});

const ints = () => tf.tensor1d([1, 2, 3], 'int32');

describe('the native-vs-cpu harness', () => {
  it('names the native kernels that ran and those that declined', async () => {
    const run = await runNative(() => tf.add(tf.matMul(randomTensor([2, 3], 1), randomTensor([3, 2], 2)), 1));
    expect(run.ran.sort()).toEqual(['Add', 'BatchMatMul']);
    expect(run.declined).toEqual([]);
    expect((await runNative(() => tf.add(ints(), ints()))).declined).toEqual(['Add']);
  });

  it('fails when the kernel declines, since it would compare cpu with cpu', async () => {
    await expect(expectSameAsCpu(() => tf.add(ints(), ints()))).rejects.toThrow(
      'the native path did not run: native kernels ran [], declined [Add]',
    );
    await expect(
      expectSameAsCpu(() => [
        tf.add(randomTensor([4], 1), 1),
        tf.matMul(tf.zeros([1, 2], 'int32'), tf.zeros([2, 1], 'int32')),
      ]),
    ).rejects.toThrow(/declined \[BatchMatMul\]/);
  });

  it('fails when no native kernel is involved at all', async () => {
    await expect(expectSameAsCpu(() => tf.cast(ints(), 'float32'))).rejects.toThrow(
      'the native path did not run: native kernels ran [], declined []',
    );
  });

  it('with fallback, passes when a kernel declines and fails when none does', async () => {
    await expectSameAsCpu(() => tf.add(ints(), ints()), { fallback: true });
    await expect(expectSameAsCpu(() => tf.add(randomTensor([4], 1), 1), { fallback: true })).rejects.toThrow(
      'expected a native kernel to decline, but none did: native kernels ran [Add], declined []',
    );
  });
});
