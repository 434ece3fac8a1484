import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNELS, hasFusedKernel, nativeGelu } from '../native/fused-ops.js';
import { customOp } from './custom-op.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const COEFF = 0.044715;

/**
 * GPT-2's tanh-approximated GELU ("gelu_new"), computed as x·σ(2u) with u = √(2/π)(x + 0.044715x³)
 * (0.5(1 + tanh u) = σ(2u)): on wasm, sigmoid is vectorised and tanh is ~8× slower. The gradient is
 * hand-written: autodiff through the composite would record ~20 kernels.
 * @param x any shape
 * @returns same shape as x
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  if (hasFusedKernel(FUSED_KERNELS.gelu)) return nativeGelu(x);
  const op = customOp(([xin], save) => {
    if (!xin) throw new Error('gelu: missing input');
    const x2 = tf.mul(xin, xin);
    const s = tf.sigmoid(tf.mul(tf.mul(xin, tf.add(tf.mul(x2, COEFF), 1)), 2 * SQRT_2_OVER_PI));
    save([xin, s]);
    return {
      value: tf.mul(xin, s),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ss] = saved as [tf.Tensor, tf.Tensor];
        // d/dx [x·s] = s + x · 2s(1 − s) · du/dx,  du/dx = √(2/π)(1 + 3c·x²)
        const du = tf.mul(tf.add(tf.mul(tf.mul(xs, xs), 3 * COEFF), 1), 2 * SQRT_2_OVER_PI);
        const grad = tf.add(ss, tf.mul(tf.mul(xs, tf.mul(ss, tf.sub(1, ss))), du));
        return tf.mul(dy, grad);
      },
    };
  });
  return op(x) as T;
}
