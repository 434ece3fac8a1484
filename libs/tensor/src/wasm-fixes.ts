/**
 * Kernel fixes that make the tfjs wasm backend usable for training (tfjs 4.22, STACK.md):
 * - it has no UnsortedSegmentSum kernel, which the gradient of `gather` (the embedding) needs;
 * - its BatchMatMul with transposeA/B set takes a scalar path 10–20× slower than the plain one,
 *   and every matMul gradient sets them — so transpose explicitly and call the plain kernel.
 * Each fix is checked against the cpu backend in wasm-fixes.test.ts.
 */

import type { KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';

interface WasmBackendLike {
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array;
  disposeData(dataId: object): void;
}

let installed = false;

export function installWasmFixes(): void {
  if (installed) return;
  installed = true;
  tf.registerKernel(unsortedSegmentSumConfig);
  const original = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!original || !transpose) throw new Error('wasm backend kernels BatchMatMul/Transpose are missing');
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    setupFunc: original.setupFunc,
    kernelFunc: plainBatchMatMul(original.kernelFunc, transpose.kernelFunc),
  });
}

/** Swaps the last two axes through the wasm Transpose kernel. */
function swapLastTwo(x: TensorInfo, backend: unknown, transposeKernel: KernelFunc): TensorInfo {
  const r = x.shape.length;
  const perm = Array.from({ length: r }, (_, i) => i);
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return transposeKernel({ inputs: { x }, backend: backend as never, attrs: { perm } }) as TensorInfo;
}

function plainBatchMatMul(batchMatMul: KernelFunc, transposeKernel: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return batchMatMul(args);
    const backend = args.backend as WasmBackendLike;
    const aa = transposeA ? swapLastTwo(a, backend, transposeKernel) : a;
    const bb = transposeB ? swapLastTwo(b, backend, transposeKernel) : b;
    try {
      return batchMatMul({
        inputs: { a: aa, b: bb } as unknown as NamedTensorInfoMap,
        backend: args.backend,
        attrs: { transposeA: false, transposeB: false },
      });
    } finally {
      if (aa !== a) backend.disposeData(aa.dataId);
      if (bb !== b) backend.disposeData(bb.dataId);
    }
  };
}

/**
 * out[s, ...] = Σ over i with segmentIds[i] = s of x[i, ...]; ids outside [0, numSegments) are dropped
 * (TensorFlow's semantics). x [N, ...inner], segmentIds [N] int32 → [numSegments, ...inner].
 */
const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo };
    const { numSegments } = args.attrs as { numSegments: number };
    const backend = args.backend as WasmBackendLike;
    if (x.dtype !== 'float32' && x.dtype !== 'int32') {
      throw new Error(`UnsortedSegmentSum (wasm fix): dtype ${x.dtype} is not supported`);
    }
    if (segmentIds.shape.length !== 1 || segmentIds.shape[0] !== x.shape[0]) {
      throw new Error(
        `UnsortedSegmentSum (wasm fix): segmentIds must be [${x.shape[0]}], got [${segmentIds.shape}]`,
      );
    }
    const inner = x.shape.slice(1).reduce((p, q) => p * q, 1);
    const xs = backend.readSync(x.dataId);
    const ids = backend.readSync(segmentIds.dataId);
    const out = backend.makeOutput([numSegments, ...x.shape.slice(1)], x.dtype);
    const o = backend.typedArrayFromHeap(out);
    o.fill(0);
    for (let i = 0; i < ids.length; i++) {
      const s = ids[i] as number;
      if (s < 0 || s >= numSegments) continue;
      const src = i * inner;
      const dst = s * inner;
      for (let j = 0; j < inner; j++) o[dst + j] = (o[dst + j] as number) + (xs[src + j] as number);
    }
    return out;
  },
};
