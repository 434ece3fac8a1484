import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend.js';

/** Runs `f` on a backend and returns its result on the host. */
async function on(
  backend: 'cpu' | 'wasm',
  f: () => tf.Tensor,
): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend(backend);
  expect(tf.getBackend()).toBe(backend);
  const t = tf.tidy(f);
  const out = { shape: t.shape, values: Float32Array.from(t.dataSync() as Float32Array) };
  t.dispose();
  return out;
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++)
    m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)) / (1 + Math.abs(b[i] as number)));
  return m;
}

const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: false });
});

describe('wasm training fixes, checked against the cpu backend', () => {
  it.each([
    [[7, 5], [5, 3], false, false],
    [[5, 7], [5, 3], true, false],
    [[7, 5], [3, 5], false, true],
    [[5, 7], [3, 5], true, true],
    [[4, 6, 5], [4, 5, 3], false, false],
    [[4, 5, 6], [4, 3, 5], true, true],
    [[2, 3, 6, 5], [2, 3, 6, 4], true, false],
    [[2, 3, 6, 5], [1, 1, 4, 5], false, true],
  ] as const)('BatchMatMul %j × %j (transposeA=%s, transposeB=%s)', async (sa, sb, ta, tb) => {
    const f = () => tf.matMul(rand([...sa], 1), rand([...sb], 2), ta, tb);
    const cpu = await on('cpu', f);
    const wasm = await on('wasm', f);
    expect(wasm.shape).toEqual(cpu.shape);
    expect(maxRelDiff(wasm.values, cpu.values)).toBeLessThan(1e-5);
  });

  it('the gradient of gather (UnsortedSegmentSum) equals the cpu backend, repeated and dropped ids included', async () => {
    const f = () => {
      const table = rand([6, 4], 3);
      const ids = tf.tensor1d([0, 5, 5, 2, 0, 0, 3], 'int32');
      const upstream = rand([7, 4], 4);
      return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), upstream)))(table);
    };
    const cpu = await on('cpu', f);
    const wasm = await on('wasm', f);
    expect(maxRelDiff(wasm.values, cpu.values)).toBeLessThan(1e-6);
    const direct = () => tf.unsortedSegmentSum(rand([5, 3], 5), tf.tensor1d([1, -1, 1, 4, 9], 'int32'), 4);
    const w = await on('wasm', direct);
    expect(w.shape).toEqual([4, 3]);
    expect(maxRelDiff(w.values, (await on('cpu', direct)).values)).toBeLessThan(1e-6);
  });

  it('refuses an unsupported dtype with a clear error', async () => {
    await tf.setBackend('wasm');
    expect(() =>
      tf.unsortedSegmentSum(tf.tensor1d([true, false], 'bool'), tf.tensor1d([0, 1], 'int32'), 2),
    ).toThrow(/dtype bool is not supported/);
  });
});
