/**
 * Rotary position encoding (`positions: 'rotary'`): instead of adding a learned position vector to
 * the embedding, every block rotates each head's query and key by angles proportional to the token's
 * position, so a query·key score depends on the two positions only through their difference. Heads
 * that attend by relative position (previous-token, induction) then need no position table, and a
 * story shifted in the context is the same story to them. The half-split rotation of GPT-NeoX: a
 * head vector [x₁, x₂] (two halves) becomes [x₁·cos − x₂·sin, x₂·cos + x₁·sin], the pair (x₁[j], x₂[j])
 * turned by position · base^(−2j/dh).
 */
import * as tf from '@tensorflow/tfjs';

/** The frequency base: the j-th of dh/2 angle rates is base^(−2j/dh) (the common choice). */
export const ROTARY_BASE = 10_000;

/** Per-position rotation, made once per forward pass and shared by every block. */
export interface RotaryAngles {
  /** [N, 1, dh/2] cosines of position × rate (N = B·T rows) */
  cos: tf.Tensor3D;
  /** [N, 1, dh/2] sines */
  sin: tf.Tensor3D;
}

/**
 * @param positions [B, T] int32 position ids
 * @param headDim dh, even
 * @returns cos and sin [B·T, 1, dh/2]
 */
export function rotaryAngles(positions: tf.Tensor2D, headDim: number): RotaryAngles {
  if (headDim % 2 !== 0) throw new Error(`rotary positions need an even head width, got ${headDim}`);
  const half = headDim / 2;
  const rates = Float32Array.from({ length: half }, (_, j) => ROTARY_BASE ** ((-2 * j) / headDim));
  const n = positions.size;
  const angles = tf.mul(positions.reshape([n, 1]).toFloat(), tf.tensor2d(rates, [1, half]));
  return {
    cos: tf.cos(angles).reshape([n, 1, half]) as tf.Tensor3D,
    sin: tf.sin(angles).reshape([n, 1, half]) as tf.Tensor3D,
  };
}

/**
 * Rotates the query and key parts of a block's fused projection; values pass unchanged. Queries and
 * keys are turned together, as 2H heads of one slice (slice, split and concat run natively).
 * @param qkv [N, 3D] (queries, keys, values; heads contiguous in each)
 * @returns [N, 3D]
 */
export function rotateQueriesKeys(qkv: tf.Tensor2D, { cos, sin }: RotaryAngles, nHead: number): tf.Tensor2D {
  const [n, width] = qkv.shape;
  const d = width / 3;
  const half = d / nHead / 2;
  const qk = tf.slice(qkv, [0, 0], [n, 2 * d]).reshape([n, 2 * nHead, 2 * half]);
  const [x1, x2] = tf.split(qk, 2, 2) as [tf.Tensor3D, tf.Tensor3D];
  const turned = tf.concat(
    [tf.sub(tf.mul(x1, cos), tf.mul(x2, sin)), tf.add(tf.mul(x2, cos), tf.mul(x1, sin))],
    2,
  );
  return tf.concat([turned.reshape([n, 2 * d]), tf.slice(qkv, [0, 2 * d], [n, d])], 1) as tf.Tensor2D;
}
