/**
 * Helpers for the native backend's tests: deterministic inputs and running the same tfjs code
 * on the JavaScript 'cpu' backend (the reference) and on 'native'.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { type Closeness, type Computed, closeness, runOn } from '../conformance/inputs.js';
import { webgpuProgramCount } from '../webgpu/index.js';
import { nativeKernelCounts, registerNativeBackend } from './index.js';

export {
  type Closeness,
  type Computed,
  closeness,
  randomTensor,
  runOn,
  seeded,
} from '../conformance/inputs.js';

/** Registers 'native' (with `threads` threads) and makes it active. */
export async function useNative(threads?: number): Promise<void> {
  await registerNativeBackend(threads);
  await tf.setBackend('native');
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
  /** The engine compared with cpu (default 'native'). */
  backend?: 'native' | 'webgpu';
  /** Called with how close each output came (figures for the docs). */
  onCompare?: (closeness: Closeness) => void;
}

/** Runs `build` on 'native' and fails unless its kernels ran (or, with `fallback`, one declined). */
async function runCheckedNative(
  build: () => tf.Tensor | tf.Tensor[],
  fallback?: boolean,
): Promise<Computed[]> {
  const { outputs, ran, declined } = await runNative(build);
  const kernels = `native kernels ran [${ran.join(', ')}], declined [${declined.join(', ')}]`;
  if (fallback) {
    if (declined.length === 0) expect.fail(`expected a native kernel to decline, but none did: ${kernels}`);
  } else if (ran.length === 0 || declined.length > 0) {
    expect.fail(`the native path did not run: ${kernels} (the comparison would be cpu against cpu)`);
  }
  return outputs;
}

/** Runs `build` on 'webgpu' and fails unless a GPU program ran (tfjs may compute small ops on the CPU). */
async function runCheckedWebgpu(build: () => tf.Tensor | tf.Tensor[]): Promise<Computed[]> {
  const before = webgpuProgramCount();
  const outputs = await runOn('webgpu', build);
  if (webgpuProgramCount() === before)
    expect.fail('no webgpu program ran (the comparison would be cpu against cpu)');
  return outputs;
}

/**
 * Asserts that `build` gives the same shapes, dtypes and values (|a - b| ≤ atol + rtol·|b|) on
 * 'native' (or `backend`) as on the JavaScript 'cpu' backend, and that the engine's kernels really
 * ran (or, with `fallback`, that a native one declined); leaves that engine active.
 */
export async function expectSameAsCpu(
  build: () => tf.Tensor | tf.Tensor[],
  options: SameAsCpuOptions = {},
): Promise<Computed[]> {
  const reference = await runOn('cpu', build);
  const actual =
    options.backend === 'webgpu'
      ? await runCheckedWebgpu(build)
      : await runCheckedNative(build, options.fallback);
  expect(actual.length).toBe(reference.length);
  actual.forEach((out, i) => {
    const ref = reference[i]!;
    expect(out.shape).toEqual(ref.shape);
    expect(out.dtype).toBe(ref.dtype);
    options.onCompare?.(closeness(out.values, ref.values));
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
