/**
 * Inputs and comparisons for engine conformance (native or webgpu against the JavaScript cpu
 * backend), free of the test runner so the device check (bench/gpu) can use them too.
 */
import * as tf from '@tensorflow/tfjs';

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

/** The largest absolute difference, and the largest relative one among elements with |expected| ≥ 1e-3. */
export interface Closeness {
  maxAbs: number;
  maxRel: number;
}

export function closeness(actual: ArrayLike<number>, expected: ArrayLike<number>): Closeness {
  let maxAbs = 0;
  let maxRel = 0;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i]! - expected[i]!);
    if (Number.isNaN(diff)) continue;
    maxAbs = Math.max(maxAbs, diff);
    if (Math.abs(expected[i]!) >= 1e-3) maxRel = Math.max(maxRel, diff / Math.abs(expected[i]!));
  }
  return { maxAbs, maxRel };
}

export interface Computed {
  shape: number[];
  dtype: string;
  values: Float32Array | Int32Array | Uint8Array;
}

/** Runs `build` (which must create its own inputs) on one backend and reads every output. */
export async function runOn(
  backend: 'cpu' | 'native' | 'webgpu',
  build: () => tf.Tensor | tf.Tensor[],
): Promise<Computed[]> {
  await tf.setBackend(backend);
  const outputs = tf.tidy(() => {
    const result = build();
    return Array.isArray(result) ? result : [result];
  });
  // Read outside tidy: tidy walks every element of the arrays a function returns.
  try {
    return outputs.map((t) => ({
      shape: t.shape,
      dtype: t.dtype,
      values: t.dataSync() as Computed['values'],
    }));
  } finally {
    for (const t of outputs) t.dispose();
  }
}
