/**
 * The fused operations of libs/tensor/src/fused on the native engine's kernels, each with its own
 * gradient. libs/tensor/src/fused calls these when the active backend registers the kernels
 * (`hasFusedKernel`), and its composite tfjs path otherwise; signatures and results are the same.
 */
import * as tf from '@tensorflow/tfjs';
import type { AdamWUpdate } from '../fused/adamw.js';
import { customOp } from '../fused/custom-op.js';
import { FUSED_KERNELS } from './kernels/fused.js';

export { FUSED_KERNELS };

/** Whether the active backend has the memgen kernel `name` (only 'native' registers them). */
export function hasFusedKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

function run(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, number> = {}) {
  return tf.engine().runKernel(name, inputs, attrs) as tf.Tensor | tf.Tensor[];
}

function many(result: tf.Tensor | tf.Tensor[], count: number, name: string): tf.Tensor[] {
  if (!Array.isArray(result) || result.length !== count)
    throw new Error(`${name} returned the wrong outputs`);
  return result;
}

/**
 * Tanh-approximated GELU in one kernel; gradient in one kernel.
 * @param x any shape, float32
 */
export function nativeGelu<T extends tf.Tensor>(x: T): T {
  const op = customOp(([xin], save) => {
    if (!xin) throw new Error('gelu: missing input');
    save([xin]);
    return {
      value: run(FUSED_KERNELS.gelu, { x: xin }) as tf.Tensor,
      gradFunc: (dy, saved) => run(FUSED_KERNELS.geluGrad, { dy, x: saved[0]! }) as tf.Tensor,
    };
  });
  return op(x) as T;
}

/**
 * Layer norm over the last axis (biased variance, ε inside the square root).
 * @param x [..., D] float32; gamma, beta [D]
 */
export function nativeLayerNorm(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon = 1e-5,
): tf.Tensor {
  const op = customOp(([xin, g, b], save) => {
    if (!xin || !g || !b) throw new Error('layerNorm: missing input');
    const [y, mean, rstd] = many(
      run(FUSED_KERNELS.layerNorm, { x: xin, gamma: g, beta: b }, { epsilon }),
      3,
      'layerNorm',
    );
    save([xin, mean!, rstd!, g]);
    return {
      value: y!,
      gradFunc: (dy, saved) => {
        const [xs, mu, rs, gm] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return many(
          run(FUSED_KERNELS.layerNormGrad, { dy, x: xs, mean: mu, rstd: rs, gamma: gm }),
          3,
          'layerNormGrad',
        );
      },
    };
  });
  return op(x, gamma, beta);
}

/**
 * Weighted mean softmax cross-entropy Σ w_i·CE_i / Σ w_i with one kernel per direction.
 * @param logits [N, V] float32; labels [N] int32; weights [N] float32
 */
export function nativeSoftmaxCrossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  weights: tf.Tensor1D,
): tf.Scalar {
  if (labels.dtype !== 'int32')
    throw new Error(`softmaxCrossEntropy: labels must be int32, got ${labels.dtype}`);
  const op = customOp(([lg], save) => {
    if (!lg) throw new Error('softmaxCrossEntropy: missing input');
    const [rowLoss, probs] = many(
      run(FUSED_KERNELS.softmaxCrossEntropy, { logits: lg, labels }),
      2,
      'softmaxCrossEntropy',
    );
    const total = tf.sum(weights);
    save([probs!, total, weights, labels]);
    return {
      value: tf.div(tf.sum(tf.mul(rowLoss!, weights)), total),
      gradFunc: (dy, saved) => {
        const [p, tot, w, lab] = saved as [tf.Tensor, tf.Scalar, tf.Tensor1D, tf.Tensor1D];
        const dloss = tf.div(tf.mul(w, dy), tot);
        return run(FUSED_KERNELS.softmaxCrossEntropyGrad, { probs: p, labels: lab, dloss }) as tf.Tensor;
      },
    };
  });
  return op(logits) as tf.Scalar;
}

/** One AdamW update (PyTorch's order) of one parameter in a single pass, in place on the variables. */
export const nativeAdamwUpdate: AdamWUpdate = (param, grad, m, v, h) => {
  tf.tidy(() => {
    const [p1, m1, v1] = many(
      run(
        FUSED_KERNELS.adamw,
        { param, m, v, grad },
        {
          lr: h.lr,
          beta1: h.beta1,
          beta2: h.beta2,
          epsilon: h.eps,
          weightDecay: h.weightDecay,
          step: h.step,
        },
      ),
      3,
      'adamw',
    );
    m.assign(m1!);
    v.assign(v1!);
    param.assign(p1!);
  });
};

/**
 * Causal self-attention of a packed projection in one kernel per direction (no KV cache).
 * @param qkv [B·T, 3D] float32: q | k | v, each `heads` heads wide
 * @param keyMask [B, T] float32: 1 for real tokens, 0 for padding (not differentiated)
 * @returns z [B·T, D], heads merged
 */
export function nativeCausalAttention(qkv: tf.Tensor2D, keyMask: tf.Tensor2D, heads: number): tf.Tensor2D {
  const batch = keyMask.shape[0];
  const op = customOp(([x], save) => {
    if (!x) throw new Error('causalAttention: missing input');
    const [z, probs] = many(
      run(FUSED_KERNELS.attention, { qkv: x, keyMask }, { heads, batch }),
      2,
      'attention',
    );
    save([probs!, x]);
    return {
      value: z!,
      gradFunc: (dz, saved) => {
        const [p, q] = saved as [tf.Tensor, tf.Tensor];
        return run(FUSED_KERNELS.attentionGrad, { dz, probs: p, qkv: q }, { heads, batch }) as tf.Tensor;
      },
    };
  });
  return op(qkv) as tf.Tensor2D;
}

/**
 * y = x·W + b in one kernel (the bias is the GEMM's starting value); dx, dW, db in one kernel.
 * @param x [N, in]; weight [in, out]; bias [out]
 */
export function nativeLinear(x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  const op = customOp(([xs, w, b], save) => {
    if (!xs || !w || !b) throw new Error('linear: missing input');
    save([xs, w]);
    return {
      value: run(FUSED_KERNELS.linear, { x: xs, weight: w, bias: b }) as tf.Tensor,
      gradFunc: (dy, saved) => {
        const [xv, wv] = saved as [tf.Tensor, tf.Tensor];
        return many(run(FUSED_KERNELS.linearGrad, { dy, x: xv, weight: wv }), 3, 'linearGrad');
      },
    };
  });
  return op(x, weight, bias) as tf.Tensor2D;
}
