/**
 * Helpers for the native backend's tests: deterministic inputs and running the same tfjs code
 * on the JavaScript 'cpu' backend (the reference) and on 'native'.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { nativeKernelCounts, registerNativeBackend } from './index.js';

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

export interface NativeRun {
  outputs: Computed[];
  /** Native kernels that handled at least one call of the run. */
  ran: string[];
  /** Native kernels that handed at least one call of the run to the cpu kernel. */
  declined: string[];
}

/** Runs `build` on 'native', noting which native kernels handled its calls and which declined. */
export async function runNative(build: () => tf.Tensor | tf.Tensor[]): Promise<NativeRun> {
  const before = nativeKernelCounts();
  const outputs = await runOn('native', build);
  const ran: string[] = [];
  const declined: string[] = [];
  for (const [name, after] of nativeKernelCounts()) {
    const was = before.get(name) ?? { ran: 0, declined: 0 };
    if (after.ran > was.ran) ran.push(name);
    if (after.declined > was.declined) declined.push(name);
  }
  return { outputs, ran, declined };
}

export interface SameAsCpuOptions {
  rtol?: number;
  atol?: number;
  /**
   * The inputs are ones a native kernel hands to the cpu kernel, and the test checks that
   * fallback. Without it, a declined kernel or a run with no native kernel fails: otherwise
   * the comparison would silently be cpu against cpu.
   */
  fallback?: boolean;
}

/**
 * Asserts that `build` gives the same shapes, dtypes and values (|a - b| ≤ atol + rtol·|b|) on
 * 'native' as on the JavaScript 'cpu' backend, and that the native kernels really ran (or, with
 * `fallback`, that one declined); leaves 'native' active.
 */
export async function expectSameAsCpu(
  build: () => tf.Tensor | tf.Tensor[],
  options: SameAsCpuOptions = {},
): Promise<Computed[]> {
  const reference = await runOn('cpu', build);
  const { outputs: actual, ran, declined } = await runNative(build);
  const kernels = `native kernels ran [${ran.join(', ')}], declined [${declined.join(', ')}]`;
  if (options.fallback) {
    if (declined.length === 0) expect.fail(`expected a native kernel to decline, but none did: ${kernels}`);
  } else if (ran.length === 0 || declined.length > 0) {
    expect.fail(`the native path did not run: ${kernels} (the comparison would be cpu against cpu)`);
  }
  expect(actual.length).toBe(reference.length);
  actual.forEach((out, i) => {
    const ref = reference[i]!;
    expect(out.shape).toEqual(ref.shape);
    expect(out.dtype).toBe(ref.dtype);
    expectClose(out.values, ref.values, options);
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

/**
 * Runs `fn` on 'native' with the named kernels unregistered, so the fused ops take their composite
 * paths on the same engine; the kernels are registered again afterwards, whatever `fn` does.
 */
export async function withoutNativeKernels<T>(names: string[], fn: () => T | Promise<T>): Promise<T> {
  const configs = names.map((name) => {
    const config = tf.getKernel(name, 'native');
    if (!config) throw new Error(`native has no kernel '${name}'`);
    return config;
  });
  for (const name of names) tf.unregisterKernel(name, 'native');
  try {
    return await fn();
  } finally {
    for (const config of configs) tf.registerKernel(config);
  }
}
