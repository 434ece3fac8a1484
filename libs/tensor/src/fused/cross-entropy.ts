import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNELS, hasFusedKernel, nativeSoftmaxCrossEntropy } from '../native/fused-ops.js';
import { customOp } from './custom-op.js';

/**
 * Weighted mean softmax cross-entropy: Σ_i w_i · CE(logits_i, label_i) / Σ_i w_i.
 * Rows with weight 0 (padding) cost nothing; the gradient is the closed form (softmax − onehot)·w/Σw.
 * @param logits [N, V] float32
 * @param labels [N] int32 class ids
 * @param weights [N] float32, non-negative, Σ > 0
 * @returns scalar
 */
export function softmaxCrossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  weights: tf.Tensor1D,
): tf.Scalar {
  if (hasFusedKernel(FUSED_KERNELS.softmaxCrossEntropy))
    return nativeSoftmaxCrossEntropy(logits, labels, weights);
  const vocab = logits.shape[1];
  // wasm's oneHot with float32 stores integer bit patterns (STACK.md): build it as int32 and cast.
  const onehot = tf.oneHot(labels, vocab).cast('float32') as tf.Tensor2D;
  const op = customOp(([lg], save) => {
    if (!lg) throw new Error('softmaxCrossEntropy: missing input');
    const logp = tf.logSoftmax(lg as tf.Tensor2D);
    const total = tf.sum(weights);
    const rowLoss = tf.neg(tf.sum(tf.mul(logp, onehot), 1));
    // Closed-over tensors would be disposed by the caller's tidy before the backward pass: save them.
    save([logp, total, weights, onehot]);
    return {
      value: tf.div(tf.sum(tf.mul(rowLoss, weights)), total),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [lp, tot, w, oh] = saved as [tf.Tensor2D, tf.Scalar, tf.Tensor1D, tf.Tensor2D];
        const scale = tf.div(tf.mul(w, dy), tot).reshape([-1, 1]);
        return tf.mul(tf.sub(tf.exp(lp), oh), scale);
      },
    };
  });
  return op(logits) as tf.Scalar;
}
