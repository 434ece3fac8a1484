import * as tf from '@tensorflow/tfjs';

export interface CustomResult {
  value: tf.Tensor;
  /** Gradients with respect to each input, in input order. */
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

/** `tf.customGrad` with the inputs as an array, because its variadic typing cannot express (…tensors, save). */
export function customOp(
  body: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => CustomResult,
): (...inputs: tf.Tensor[]) => tf.Tensor {
  const fn = (...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    return body(args.slice(0, -1) as tf.Tensor[], save);
  };
  return tf.customGrad(fn as unknown as Parameters<typeof tf.customGrad>[0]) as (
    ...inputs: tf.Tensor[]
  ) => tf.Tensor;
}
