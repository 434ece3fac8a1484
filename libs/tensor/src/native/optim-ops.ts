/**
 * The optimizer's whole-model operations on the native engine: one addon call for the squared
 * global norm of every gradient, one for the AdamW update of every parameter, in place. They are
 * the native optimizer together with the MemgenAdamW kernel, and on while it is registered (tests
 * unregister it to run the composite path on the same engine).
 */
import * as tf from '@tensorflow/tfjs';
import type { AdamWEntry, AdamWStepHyper } from '../fused/adamw.js';
import { NativeBackend } from './backend.js';
import { FUSED_KERNELS, hasFusedKernel } from './fused-ops.js';

/** The active native backend with its optimizer kernels, or undefined. */
function nativeBackend(): NativeBackend | undefined {
  const backend = tf.backend();
  return backend instanceof NativeBackend && hasFusedKernel(FUSED_KERNELS.adamw) ? backend : undefined;
}

/** The float32 storage of a tensor, or undefined when it is not plain float32 data. */
function storage(backend: NativeBackend, t: tf.Tensor): Float32Array | undefined {
  return backend.f32(t.dataId);
}

/** Σ over the tensors of x², or undefined when the native engine cannot compute it here. */
export function nativeSumSquares(tensors: tf.Tensor[]): number | undefined {
  const backend = nativeBackend();
  if (!backend) return undefined;
  const arrays = tensors.map((t) => storage(backend, t));
  if (arrays.some((a) => a === undefined)) return undefined;
  return backend.addon.sumSquares(arrays as Float32Array[]);
}

/**
 * AdamW of every entry in one call, writing the variables' own buffers. Returns false (nothing
 * done) unless each parameter, m and v is float32 data that no other tensor shares: a clone or
 * reshape of a variable shares its buffer, and an in-place write would change it too.
 */
export function nativeAdamwStepInPlace(entries: AdamWEntry[], h: AdamWStepHyper): boolean {
  const backend = nativeBackend();
  if (!backend) return false;
  const owned = (t: tf.Tensor) => (backend.refCount(t.dataId) === 1 ? storage(backend, t) : undefined);
  const params: Float32Array[] = [];
  const ms: Float32Array[] = [];
  const vs: Float32Array[] = [];
  const grads: Float32Array[] = [];
  for (const e of entries) {
    const [p, m, v, g] = [owned(e.param), owned(e.m), owned(e.v), storage(backend, e.grad)];
    if (!p || !m || !v || !g) return false;
    params.push(p);
    ms.push(m);
    vs.push(v);
    grads.push(g);
  }
  const decays = Float64Array.from(entries, (e) => e.weightDecay);
  backend.addon.adamwInPlace(
    params,
    ms,
    vs,
    grads,
    decays,
    h.lr,
    h.beta1,
    h.beta2,
    h.eps,
    h.step,
    h.gradScale,
  );
  return true;
}
