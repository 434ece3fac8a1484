import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNELS, hasFusedKernel, nativeLinear } from '../native/fused-ops.js';
import { customOp } from './custom-op.js';

/**
 * Column sums as a matrix product: ones[1, N] @ x[N, D]. On wasm a reduction over axis 0 costs ~20×
 * more than this (it transposes first), and every bias and norm gradient needs one.
 * @param x [N, D]
 * @returns [D]
 */
export function columnSum(x: tf.Tensor2D): tf.Tensor1D {
  const [n, d] = x.shape;
  return tf.matMul(tf.ones([1, n]), x).reshape([d]) as tf.Tensor1D;
}

/**
 * y = x @ W + b with a hand-written gradient that picks the cheaper transpose for dW (transposing the
 * N-row operand dominates the cost on wasm) and sums the bias gradient with a matrix product.
 * @param x [N, in]
 * @param weight [in, out] (GPT-2 Conv1D layout)
 * @param bias [out]
 * @returns [N, out]
 */
export function linear(x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  if (hasFusedKernel(FUSED_KERNELS.linear)) return nativeLinear(x, weight, bias);
  const op = customOp(([xs, w, b], save) => {
    if (!xs || !w || !b) throw new Error('linear: missing input');
    save([xs, w]);
    return {
      value: tf.add(tf.matMul(xs as tf.Tensor2D, w as tf.Tensor2D), b),
      gradFunc: (dy, saved) => {
        const [xv, wv] = saved as [tf.Tensor2D, tf.Tensor2D];
        const g = dy as tf.Tensor2D;
        const [fanIn, fanOut] = wv.shape;
        const dx = tf.matMul(g, wv, false, true);
        // x^T·dy transposes x [N, in]; (dy^T·x)^T transposes dy [N, out] and then only a small matrix.
        // On the native engine BLAS transposes for free, so the direct product always wins.
        const dw =
          fanIn <= fanOut || tf.getBackend() === 'native'
            ? tf.matMul(xv, g, true, false)
            : tf.transpose(tf.matMul(g, xv, true, false));
        return [dx, dw, columnSum(g)];
      },
    };
  });
  return op(x, weight, bias) as tf.Tensor2D;
}
