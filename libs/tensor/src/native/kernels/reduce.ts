/** Reductions (Sum, Mean, Max, Min, Prod over any axes) and last-axis Softmax on float32. */
import { backend_util, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { ReduceOp } from '../addon.js';
import type { NativeBackend } from '../backend.js';
import {
  input,
  type NativeKernelArgs,
  type NativeKernelSpec,
  opKernels,
  sizeOf,
  stridesOf,
} from './common.js';
import { copyPlan } from './plans.js';

/**
 * Values of x arranged so the reduced axes form one contiguous block: returns the data and the
 * [outer, mid, inner] sizes. Non-adjacent axes are first transposed to the end (natively).
 */
function reductionView(backend: NativeBackend, shape: number[], values: Float32Array, axes: number[]) {
  const sorted = [...axes].sort((p, q) => p - q);
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  if (last - first + 1 === sorted.length) {
    return {
      data: values,
      outer: sizeOf(shape.slice(0, first)),
      mid: sizeOf(shape.slice(first, last + 1)),
      inner: sizeOf(shape.slice(last + 1)),
      temporary: false,
    };
  }
  const perm = backend_util.getAxesPermutation(sorted, shape.length)!;
  const strides = stridesOf(shape);
  const data = backend.allocF32(values.length);
  backend.addon.stridedCopy(
    data,
    values,
    0,
    copyPlan(
      perm.map((p) => shape[p]!),
      perm.map((p) => strides[p]!),
    ),
  );
  const mid = sizeOf(sorted.map((a) => shape[a]!));
  return { data, outer: values.length / mid, mid, inner: 1, temporary: true };
}

function reduction(op: number) {
  return ({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined => {
    const x = input(inputs, 'x');
    const xv = backend.f32(x.dataId);
    if (!xv) return undefined;
    // Max names its axes 'reductionIndices'; the others 'axis'.
    const axis = (attrs['axis'] ?? attrs['reductionIndices']) as number | number[];
    const axes = util.parseAxisParam(axis, x.shape);
    const [outShape, reduceShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
    // Empty reductions (identity values, NaN means) and no-op axis lists stay with the JS kernel.
    if (axes.length === 0 || sizeOf(reduceShape) === 0 || xv.length === 0) return undefined;
    const view = reductionView(backend, x.shape, xv, axes);
    const out = backend.allocF32(view.outer * view.inner);
    backend.addon.reduce(op, out, view.data, view.outer, view.mid, view.inner);
    if (view.temporary) backend.pool.release(view.data);
    const shape = attrs['keepDims'] ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

function softmax({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined {
  const logits = input(inputs, 'logits');
  const values = backend.f32(logits.dataId);
  const rank = logits.shape.length;
  const dim = attrs['dim'] as number;
  if (!values || rank === 0 || (dim !== -1 && dim !== rank - 1)) return undefined;
  const cols = logits.shape[rank - 1]!;
  if (cols === 0) return undefined;
  const out = backend.allocF32(values.length);
  backend.addon.softmax(out, values, values.length / cols, cols);
  return backend.makeTensorInfo(logits.shape, 'float32', out);
}

export const reduceKernels: NativeKernelSpec[] = [
  ...opKernels(ReduceOp, reduction),
  { name: 'Softmax', run: softmax },
];
