/**
 * Setting an activation's coordinates in a learned orthonormal basis — the `subspace` intervention,
 * the steering half of distributed alignment search: x ↦ x + α·(values − x·Bᵀ)·B, with B [k, width]
 * orthonormal rows. α = 1 sets the k coordinates x·Bᵀ to `values` and leaves the orthogonal
 * complement alone; α = 0 is the identity (the hook returns x itself, so it is bit-exact).
 */
import * as tf from '@tensorflow/tfjs';
import type { HookPoint } from './hooks.js';
import type { Intervention } from './interventions.js';

export type SubspaceSet = Extract<Intervention, { kind: 'subspace' }>;

/** Largest |B·Bᵀ − I| entry accepted as orthonormal (float32 round-off of a Gram–Schmidt basis). */
const ORTHONORMAL_TOLERANCE = 1e-3;

/**
 * Checks the basis against the hook point: k whole rows of its width, orthonormal, k values.
 * @throws Error naming the hook and what does not fit
 */
function checkSubspace(iv: SubspaceSet, p: HookPoint): number {
  const where = `intervention subspace on '${p.name}'`;
  const W = p.width;
  if (iv.basis.length === 0 || iv.basis.length % W !== 0)
    throw new Error(
      `${where}: basis has ${iv.basis.length} values, not a whole number of rows of width ${W}`,
    );
  const k = iv.basis.length / W;
  if (iv.values.length !== k) throw new Error(`${where}: ${k} basis rows but ${iv.values.length} values`);
  if (!Number.isFinite(iv.alpha)) throw new Error(`${where}: alpha must be finite, got ${iv.alpha}`);
  for (let a = 0; a < k; a++)
    for (let b = a; b < k; b++) {
      let dot = 0;
      for (let j = 0; j < W; j++) dot += iv.basis[a * W + j]! * iv.basis[b * W + j]!;
      if (Math.abs(dot - (a === b ? 1 : 0)) > ORTHONORMAL_TOLERANCE)
        throw new Error(`${where}: basis rows ${a} and ${b} are not orthonormal (dot ${dot.toFixed(4)})`);
    }
  return k;
}

/**
 * The row function of a subspace set: x [..., width] ↦ x + α·(values − x·Bᵀ)·B.
 * @param own keeps a tensor for the life of the intervention (the caller disposes it)
 */
export function subspaceEdit(iv: SubspaceSet, p: HookPoint, own: (t: tf.Tensor) => tf.Tensor) {
  const k = checkSubspace(iv, p);
  if (iv.alpha === 0) return (x: tf.Tensor) => x;
  const W = p.width;
  const basis = own(tf.tensor2d(iv.basis, [k, W])) as tf.Tensor2D;
  const values = own(tf.tensor2d(Float32Array.from(iv.values), [1, k])) as tf.Tensor2D;
  return (x: tf.Tensor) =>
    tf.tidy(() => {
      const rows = x.reshape([-1, W]) as tf.Tensor2D;
      const gap = tf.sub(values, tf.matMul(rows, basis, false, true)); // [n, k]
      const moved = tf.add(rows, tf.mul(tf.matMul(gap, basis), iv.alpha));
      return moved.reshape(x.shape);
    });
}
