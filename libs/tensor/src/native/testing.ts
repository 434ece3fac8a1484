/**
 * Helpers for the native backend's tests: deterministic inputs and running the same tfjs code
 * on the JavaScript 'cpu' backend (the reference) and on 'native'.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { registerNativeBackend } from './index.js';

/** Registers 'native' (with `threads` threads) and makes it active. */
export async function useNative(threads?: number): Promise<void> {
  await registerNativeBackend(threads);
  await tf.setBackend('native');
}

/** Deterministic values in [lo, hi) from a 32-bit seed (mulberry32). */
export function seeded(seed: number, length: number, lo = -1, hi = 1): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const unit = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = lo + (hi - lo) * unit;
  }
  return out;
}

/** A float32 tensor of the given shape filled from `seed`. */
export function randomTensor(shape: number[], seed: number, lo = -1, hi = 1): tf.Tensor {
  return tf.tensor(
    seeded(
      seed,
      shape.reduce((p, s) => p * s, 1),
      lo,
      hi,
    ),
    shape,
    'float32',
  );
}

export interface Computed {
  shape: number[];
  dtype: string;
  values: Float32Array | Int32Array | Uint8Array;
}

/** Runs `build` (which must create its own inputs) on one backend and reads every output. */
export async function runOn(
  backend: 'cpu' | 'native',
  build: () => tf.Tensor | tf.Tensor[],
): Promise<Computed[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const result = build();
    const list = Array.isArray(result) ? result : [result];
    return list.map((t) => ({ shape: t.shape, dtype: t.dtype, values: t.dataSync() as Computed['values'] }));
  });
}

/**
 * Asserts that `build` gives the same shapes, dtypes and values (|a - b| ≤ atol + rtol·|b|) on
 * 'native' as on the JavaScript 'cpu' backend; leaves 'native' active.
 */
export async function expectSameAsCpu(
  build: () => tf.Tensor | tf.Tensor[],
  tolerance: { rtol?: number; atol?: number } = {},
): Promise<Computed[]> {
  const reference = await runOn('cpu', build);
  const actual = await runOn('native', build);
  expect(actual.length).toBe(reference.length);
  actual.forEach((out, i) => {
    const ref = reference[i]!;
    expect(out.shape).toEqual(ref.shape);
    expect(out.dtype).toBe(ref.dtype);
    expectClose(out.values, ref.values, tolerance);
  });
  return actual;
}

/** Element-wise |actual - expected| ≤ atol + rtol·|expected|, reporting the worst element. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { rtol = 1e-5, atol = 1e-6 }: { rtol?: number; atol?: number } = {},
): void {
  expect(actual.length).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    expect.fail(
      `element ${worst}: ${actual[worst]} vs expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`,
    );
  }
}
