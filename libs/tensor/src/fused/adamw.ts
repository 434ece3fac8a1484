import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNELS, hasFusedKernel, nativeAdamwUpdate } from '../native/fused-ops.js';
import { nativeAdamwStepInPlace, nativeSumSquares } from '../native/optim-ops.js';
import { webgpuAdamwStepInPlace } from '../webgpu/adamw.js';

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

/** One parameter of a whole-model AdamW step. */
export interface AdamWEntry {
  param: tf.Variable;
  grad: tf.Tensor;
  m: tf.Variable;
  v: tf.Variable;
  weightDecay: number;
}

/** The step's shared settings; every gradient is multiplied by gradScale (the clip factor) first. */
export type AdamWStepHyper = Omit<AdamWHyper, 'weightDecay'> & { gradScale: number };

/**
 * AdamW on every parameter of a model: on the native engine one in-place call over all of them, on
 * webgpu one in-place dispatch per parameter, elsewhere (or when a variable's buffer is shared)
 * adamwUpdate per parameter on the scaled gradient.
 */
export function adamwStep(entries: AdamWEntry[], h: AdamWStepHyper): void {
  if (nativeAdamwStepInPlace(entries, h) || webgpuAdamwStepInPlace(entries, h)) return;
  for (const e of entries) {
    const grad = h.gradScale === 1 ? e.grad : tf.mul(e.grad, h.gradScale);
    try {
      adamwUpdate(e.param, grad, e.m, e.v, { ...h, weightDecay: e.weightDecay });
    } finally {
      if (grad !== e.grad) grad.dispose();
    }
  }
}

/** Σ over the tensors of Σ x² (the squared global norm), as a number. */
export function sumOfSquares(tensors: tf.Tensor[]): number {
  const native = nativeSumSquares(tensors);
  if (native !== undefined) return native;
  const sq = tf.tidy(() => tf.addN(tensors.map((g) => tf.sum(tf.mul(g, g)))));
  try {
    return (sq.dataSync() as Float32Array)[0] as number;
  } finally {
    sq.dispose();
  }
}
