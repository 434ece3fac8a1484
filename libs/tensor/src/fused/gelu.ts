import * as tf from '@tensorflow/tfjs';
import { customOp } from './custom-op.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const COEFF = 0.044715;

/**
 * GPT-2's tanh-approximated GELU ("gelu_new"), with a hand-written gradient: autodiff through the
 * composite would record ~10 kernels forward and ~20 backward, and `pow(x, 3)` is slow on wasm.
 * @param x any shape
 * @returns same shape as x
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  const op = customOp(([xin], save) => {
    if (!xin) throw new Error('gelu: missing input');
    const x2 = tf.mul(xin, xin);
    const inner = tf.mul(tf.mul(xin, tf.add(tf.mul(x2, COEFF), 1)), SQRT_2_OVER_PI);
    const t = tf.tanh(inner);
    save([xin, t]);
    return {
      value: tf.mul(tf.mul(xin, 0.5), tf.add(t, 1)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ts] = saved as [tf.Tensor, tf.Tensor];
        // d/dx [0.5 x (1 + t)] = 0.5 (1 + t) + 0.5 x (1 - t²) · sqrt(2/π) (1 + 3c x²)
        const sech2 = tf.sub(1, tf.mul(ts, ts));
        const dInner = tf.mul(tf.add(tf.mul(tf.mul(xs, xs), 3 * COEFF), 1), SQRT_2_OVER_PI);
        const grad = tf.add(tf.mul(tf.add(ts, 1), 0.5), tf.mul(tf.mul(tf.mul(xs, 0.5), sech2), dInner));
        return tf.mul(dy, grad);
      },
    };
  });
  return op(x) as T;
}
