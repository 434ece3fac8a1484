/**
 * Causal multi-head attention: the composite tfjs path (any backend, with or without a KV cache) and
 * self-attention of a packed q|k|v projection, which the native engine runs as one fused kernel per
 * direction.
 */
import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNELS, hasFusedKernel, nativeCausalAttention } from '../native/fused-ops.js';

/** Masked attention logits get this instead of −∞ so fully padded rows stay finite. */
const MASKED = -1e9;

/**
 * Additive attention bias: 0 where query t may attend key s, MASKED elsewhere. Queries are the last T
 * of the S keys; a key is visible when it is real (keyMask 1) and not in the future.
 * @param keyMask [B, S]
 * @returns [B, 1, T, S]
 */
export function attentionBias(keyMask: tf.Tensor2D, T: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [B, S] = keyMask.shape;
    const offset = S - T;
    const causal = new Float32Array(T * S);
    for (let t = 0; t < T; t++) for (let s = 0; s <= offset + t; s++) causal[t * S + s] = 1;
    const allowed = tf.mul(tf.tensor(causal, [1, 1, T, S]), keyMask.reshape([B, 1, 1, S]));
    return tf.mul(tf.sub(1, allowed), MASKED) as tf.Tensor4D;
  });
}

/**
 * Splits a packed projection into heads.
 * @param qkv [B·T, 3D]
 * @returns q, k, v, each [B, H, T, D/H]
 */
export function splitHeads(qkv: tf.Tensor2D, B: number, T: number, heads: number): tf.Tensor4D[] {
  const D = qkv.shape[1] / 3;
  const asHeads = (t: tf.Tensor) =>
    t.reshape([B, T, heads, D / heads]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
  // Three slices, not tf.split: SplitV is ~12× slower than Slice on wasm.
  return [0, 1, 2].map((j) => asHeads(tf.slice(qkv, [0, j * D], [B * T, D])));
}

/**
 * softmax(q·kᵀ/√dh + bias)·v with heads merged back.
 * @param q [B, H, T, dh]; k, v [B, H, S, dh]; bias [B, 1, T, S]
 * @returns [B·T, H·dh]
 */
export function attend(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, bias: tf.Tensor4D): tf.Tensor2D {
  const [B, H, T, dh] = q.shape;
  const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), bias);
  return tf
    .matMul(tf.softmax(scores), v)
    .transpose([0, 2, 1, 3])
    .reshape([B * T, H * dh]) as tf.Tensor2D;
}

/**
 * Causal self-attention of T positions with no cache.
 * @param qkv [B·T, 3D]; keyMask [B, T] (1 real, 0 padding)
 * @param bias the composite path's attentionBias(keyMask, T), built here when not given
 * @returns z [B·T, D]
 */
export function causalSelfAttention(
  qkv: tf.Tensor2D,
  keyMask: tf.Tensor2D,
  heads: number,
  bias?: () => tf.Tensor4D,
): tf.Tensor2D {
  if (hasFusedKernel(FUSED_KERNELS.attention)) return nativeCausalAttention(qkv, keyMask, heads);
  const [B, T] = keyMask.shape;
  const [q, k, v] = splitHeads(qkv, B, T, heads) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
  return attend(q, k, v, bias ? bias() : attentionBias(keyMask, T));
}
