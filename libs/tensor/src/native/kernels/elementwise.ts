/** Element-wise kernels: broadcasting binary ops, unary ops and AddN on float32 tensors. */
import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import { BinaryOp, UnaryOp } from '../addon.js';
import { input, type NativeKernelArgs, type NativeKernelSpec, opKernels, sizeOf } from './common.js';
import { broadcastPlan } from './plans.js';

function binary(op: number) {
  return ({ inputs, backend }: NativeKernelArgs): TensorInfo | undefined => {
    const a = input(inputs, 'a');
    const b = input(inputs, 'b');
    const av = backend.f32(a.dataId);
    const bv = backend.f32(b.dataId);
    if (!av || !bv) return undefined;
    const shape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const out = backend.allocF32(sizeOf(shape));
    if (out.length > 0) backend.addon.binary(op, out, av, bv, broadcastPlan(shape, a.shape, b.shape));
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

function unary(op: number, alphaOf: (args: NativeKernelArgs) => number = () => 0) {
  return (args: NativeKernelArgs): TensorInfo | undefined => {
    const { inputs, backend } = args;
    const x = input(inputs, 'x');
    const xv = backend.f32(x.dataId);
    if (!xv) return undefined;
    const out = backend.allocF32(xv.length);
    backend.addon.unary(op, out, xv, alphaOf(args));
    return backend.makeTensorInfo(x.shape, 'float32', out);
  };
}

function addN({ inputs, backend }: NativeKernelArgs): TensorInfo | undefined {
  const tensors = Object.values(inputs) as TensorInfo[];
  const first = tensors[0];
  if (!first) return undefined;
  const values: Float32Array[] = [];
  for (const t of tensors) {
    const v = backend.f32(t.dataId);
    if (!v || v.length !== sizeOf(first.shape)) return undefined;
    values.push(v);
  }
  const out = backend.allocF32(sizeOf(first.shape));
  backend.addon.addN(out, values);
  return backend.makeTensorInfo(first.shape, 'float32', out);
}

/** LeakyRelu's slope for negative inputs; tfjs defaults it to 0.2. */
const leakyAlpha = ({ attrs }: NativeKernelArgs) => Number(attrs['alpha'] ?? 0.2);

export const elementwiseKernels: NativeKernelSpec[] = [
  ...opKernels(BinaryOp, binary, { Mul: 'Multiply', Div: 'RealDiv' }),
  ...opKernels(UnaryOp, (op, name) => unary(op, name === 'LeakyRelu' ? leakyAlpha : undefined)),
  { name: 'AddN', run: addN },
];
