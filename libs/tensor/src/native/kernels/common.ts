/** Shared shapes of the native kernels: each returns undefined to hand the call to the JS kernel. */
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../backend.js';

export interface NativeKernelArgs {
  inputs: NamedTensorInfoMap;
  backend: NativeBackend;
  attrs: NamedAttrMap;
}

/** A native kernel; `undefined` means "not handled here" (dtype, layout) and the cpu kernel runs. */
export type NativeKernel = (args: NativeKernelArgs) => TensorInfo | TensorInfo[] | undefined;

export interface NativeKernelSpec {
  /** tfjs kernel name (e.g. 'BatchMatMul') or a memgen fused kernel name. */
  name: string;
  run: NativeKernel;
}

/** The named input; throws when the caller did not pass it. */
export function input(inputs: NamedTensorInfoMap, name: string): TensorInfo {
  const info = inputs[name];
  if (!info) throw new Error(`native kernel: missing input '${name}'`);
  return info;
}

/** Row-major strides of every axis (the last is 1). */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= shape[d]!;
  }
  return strides;
}

export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const s of shape) size *= s;
  return size;
}

/** The same kind of 4-byte array as `like`, of `length` elements (float32 from the pool). */
export function allocLike(backend: NativeBackend, like: Float32Array | Int32Array, length: number) {
  return like instanceof Float32Array ? backend.allocF32(length) : new Int32Array(length);
}

/**
 * One kernel per op code of a native op table, registered under the op's name, or under
 * `tfjsNames[op]` where tfjs spells the kernel differently (e.g. Mul → Multiply).
 */
export function opKernels<Op extends string>(
  ops: Readonly<Record<Op, number>>,
  build: (op: number, name: Op) => NativeKernel,
  tfjsNames?: Readonly<Partial<Record<Op, string>>>,
): NativeKernelSpec[] {
  return (Object.keys(ops) as Op[]).map((op) => ({ name: tfjsNames?.[op] ?? op, run: build(ops[op], op) }));
}
