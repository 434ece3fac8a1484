import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNELS, hasFusedKernel, nativeLayerNorm } from '../native/fused-ops.js';
import { customOp } from './custom-op.js';
import { columnSum } from './linear.js';

/**
 * Layer normalisation over the last axis with a hand-written gradient (the autodiff of the composite
 * records a long chain of broadcasts and reductions).
 * @param x [..., D]
 * @param gamma [D]
 * @param beta [D]
 * @returns [..., D]
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon = 1e-5): tf.Tensor {
  if (hasFusedKernel(FUSED_KERNELS.layerNorm)) return nativeLayerNorm(x, gamma, beta, epsilon);
  const op = customOp(([xIn, g, b], save) => {
    if (!xIn || !g || !b) throw new Error('layerNorm: missing input');
    const axis = xIn.rank - 1;
    const mean = tf.mean(xIn, axis, true);
    const centred = tf.sub(xIn, mean);
    const variance = tf.mean(tf.mul(centred, centred), axis, true);
    const rstd = tf.rsqrt(tf.add(variance, epsilon));
    const xhat = tf.mul(centred, rstd);
    save([xhat, rstd, g]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, rs, gm] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const d = xh.shape[axis] as number;
        const rows = xh.size / d;
        const dy2 = dy.reshape([rows, d]);
        const xh2 = xh.reshape([rows, d]);
        const dGamma = columnSum(tf.mul(dy2, xh2) as tf.Tensor2D);
        const dBeta = columnSum(dy2 as tf.Tensor2D);
        // dx = rstd · (g·dy − mean(g·dy) − x̂ · mean(g·dy · x̂))
        const gdy = tf.mul(dy, gm);
        const meanGdy = tf.mean(gdy, axis, true);
        const meanGdyX = tf.mean(tf.mul(gdy, xh), axis, true);
        const dx = tf.mul(tf.sub(tf.sub(gdy, meanGdy), tf.mul(xh, meanGdyX)), rs);
        return [dx, dGamma, dBeta];
      },
    };
  });
  return op(x, gamma, beta);
}
