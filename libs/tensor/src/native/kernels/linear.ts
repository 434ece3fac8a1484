/** The fused dense-layer kernels of the native engine (see ./fused.ts for the table). */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeKernelArgs, NativeKernelSpec } from './common.js';
import { FUSED_KERNELS, f32Inputs } from './fused.js';

/** rows, in and out of x [rows, in] and weight [in, out], checked against each other. */
function linearDims(xShape: number[], wShape: number[], kernel: string) {
  const [rows, inDim] = xShape as [number, number];
  const [wIn, outDim] = wShape as [number, number];
  if (xShape.length !== 2 || wShape.length !== 2 || inDim !== wIn)
    throw new Error(`${kernel}: x [rows, in] and weight [in, out] do not match: [${xShape}] and [${wShape}]`);
  return { rows, inDim, outDim };
}

function linear({ inputs, backend }: NativeKernelArgs): TensorInfo {
  const name = FUSED_KERNELS.linear;
  const [x, w, b] = f32Inputs(backend, inputs, name, ['x', 'weight', 'bias']);
  const { rows, inDim, outDim } = linearDims(x.info.shape, w.info.shape, name);
  if (b.values.length !== outDim)
    throw new Error(`${name}: bias has ${b.values.length} values, expected ${outDim}`);
  const y = backend.allocF32(rows * outDim);
  backend.addon.linear(y, x.values, w.values, b.values, rows, inDim, outDim);
  return backend.makeTensorInfo([rows, outDim], 'float32', y);
}

function linearGrad({ inputs, backend }: NativeKernelArgs): TensorInfo[] {
  const name = FUSED_KERNELS.linearGrad;
  const [dy, x, w] = f32Inputs(backend, inputs, name, ['dy', 'x', 'weight']);
  const { rows, inDim, outDim } = linearDims(x.info.shape, w.info.shape, name);
  const [dx, dw, db] = [
    backend.allocF32(rows * inDim),
    backend.allocF32(inDim * outDim),
    backend.allocF32(outDim),
  ];
  backend.addon.linearGrad(dx, dw, db, dy.values, x.values, w.values, rows, inDim, outDim);
  return [
    backend.makeTensorInfo([rows, inDim], 'float32', dx),
    backend.makeTensorInfo([inDim, outDim], 'float32', dw),
    backend.makeTensorInfo([outDim], 'float32', db),
  ];
}

export const linearKernels: NativeKernelSpec[] = [
  { name: FUSED_KERNELS.linear, run: linear },
  { name: FUSED_KERNELS.linearGrad, run: linearGrad },
];
