import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNELS, hasFusedKernel, nativeAdamwUpdate } from '../native/fused-ops.js';

export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled weight decay (Loshchilov & Hutter): p ← p − lr·wd·p, independent of the gradient. */
  weightDecay: number;
  /** 1-based step count, for bias correction. */
  step: number;
}

/** An AdamW step of one parameter, in place on the variables; grad, m, v have param's shape. */
export type AdamWUpdate = (
  param: tf.Variable,
  grad: tf.Tensor,
  m: tf.Variable,
  v: tf.Variable,
  h: AdamWHyper,
) => void;

/**
 * One AdamW update of one parameter, in place on the variables (PyTorch's torch.optim.AdamW order:
 * decay first, then the Adam step with bias-corrected moments).
 * @param param variable of any shape; grad, m, v the same shape
 */
export const adamwUpdate: AdamWUpdate = (param, grad, m, v, h) => {
  if (hasFusedKernel(FUSED_KERNELS.adamw)) {
    nativeAdamwUpdate(param, grad, m, v, h);
    return;
  }
  tf.tidy(() => {
    const m1 = tf.add(tf.mul(m, h.beta1), tf.mul(grad, 1 - h.beta1));
    const v1 = tf.add(tf.mul(v, h.beta2), tf.mul(tf.mul(grad, grad), 1 - h.beta2));
    const bc1 = 1 - h.beta1 ** h.step;
    const bc2 = 1 - h.beta2 ** h.step;
    const denom = tf.add(tf.div(tf.sqrt(v1), Math.sqrt(bc2)), h.eps);
    const decayed = h.weightDecay === 0 ? param : tf.mul(param, 1 - h.lr * h.weightDecay);
    const updated = tf.sub(decayed, tf.mul(tf.div(m1, denom), h.lr / bc1));
    m.assign(m1);
    v.assign(v1);
    param.assign(updated);
  });
};
