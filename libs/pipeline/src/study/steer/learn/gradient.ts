/**
 * The gradient learner: a vector v at one site, of fixed L2 norm (v = norm · u/‖u‖), optimised with
 * Adam on u so that adding v at the chosen positions moves every training row to its target first
 * answer token (cross-entropy at the last position), while rule items keep their unsteered first
 * token (the same loss toward their own answer, weighted by keepWeight). Only u is trained; the
 * model's weights are read, never changed. The norm is fixed so that α means the same shift size
 * for every learner and every control.
 */

import { type ForwardInput, type GPT, type PassRows, spanMask } from '@memgen/model';
import * as tf from '@tensorflow/tfjs';
import type { LearnConfig } from './config.js';
import type { Placement } from './placement.js';
import type { MemberRows } from './split.js';

/** What one learning run optimises. */
export interface GradientProblem {
  hook: string;
  position: Placement;
  /** Rows to move and the token each must answer. */
  move: { input: ForwardInput; targets: number[] };
  /** Rows whose own answers are kept (rule items); null for none. */
  keep: MemberRows | null;
  norm: number;
  /** [width] the starting direction (any length; only its direction matters). */
  init: Float32Array;
}

/** A hook adding `v` [W] at the last position, every position, or each row's span, differentiably. */
export function addVectorHook(v: tf.Tensor1D, position: Placement) {
  return (x: tf.Tensor, pass: PassRows): tf.Tensor => {
    const [, T, W] = x.shape as [number, number, number];
    if (position === 'all') return tf.add(x, v.reshape([1, 1, W]));
    if (typeof position === 'object')
      return tf.add(x, tf.mul(spanMask(position.span, pass, 'learned direction span'), v.reshape([1, 1, W])));
    // A plain forward pass over whole prompts: 'prompt' and 'last' are both the last column.
    const mask = tf.concat([tf.zeros([1, T - 1, 1]), tf.ones([1, 1, 1])], 1);
    return tf.add(x, tf.mul(mask, v.reshape([1, 1, W])));
  };
}

/** Mean cross-entropy of the rows' last-position logits toward `targets`. */
export function lastTokenLoss(model: GPT, input: ForwardInput, targets: number[]): tf.Scalar {
  const logits = model.forward(input); // [B, T, V]
  const [B, T, V] = logits.shape;
  const last = logits.slice([0, T - 1, 0], [B, 1, V]).reshape([B, V]);
  const onehot = tf.oneHot(tf.tensor1d(targets, 'int32'), V);
  return tf.losses.softmaxCrossEntropy(onehot, last) as tf.Scalar;
}

/** The unit vector of `u` scaled to `norm`. */
const scaled = (u: tf.Tensor1D, norm: number) => tf.mul(tf.div(u, tf.norm(u)), norm) as tf.Tensor1D;

/**
 * Learns the vector of `p` in `steps` Adam steps.
 * @returns [width] a vector of L2 norm p.norm
 * @throws Error when the starting direction is zero or the loss stops being finite
 */
export function learnVector(model: GPT, p: GradientProblem, cfg: LearnConfig, steps: number): Float32Array {
  if (!p.init.some((x) => x !== 0))
    throw new Error(`learning at '${p.hook}': the starting direction is zero`);
  const u = tf.variable(tf.tensor1d(p.init), true);
  const opt = tf.train.adam(cfg.rate);
  try {
    for (let step = 0; step < steps; step++) {
      const cost = opt.minimize(
        () => {
          const handle = model.hooks.add(p.hook, addVectorHook(scaled(u, p.norm), p.position));
          try {
            const moved = lastTokenLoss(model, p.move.input, p.move.targets);
            if (!p.keep || cfg.keepWeight === 0) return moved;
            const kept = lastTokenLoss(model, p.keep.input, p.keep.own);
            return tf.add(moved, tf.mul(kept, cfg.keepWeight)) as tf.Scalar;
          } finally {
            handle.remove();
          }
        },
        true,
        [u],
      );
      const value = cost!.dataSync()[0]!;
      cost!.dispose();
      if (!Number.isFinite(value))
        throw new Error(`learning at '${p.hook}': the loss is ${value} at step ${step}`);
    }
    return tf.tidy(() => scaled(u, p.norm).dataSync() as Float32Array).slice();
  } finally {
    u.dispose();
    opt.dispose();
  }
}
