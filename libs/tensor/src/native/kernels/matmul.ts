/** BatchMatMul on OpenBLAS for every rank, transpose and batch-broadcast combination (float32). */
import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import { input, type NativeKernelArgs, type NativeKernelSpec, sizeOf, stridesOf } from './common.js';

/**
 * For each position of the broadcast batch shape (row-major), the index of the matrix to use
 * from a batch of shape `batchShape` (broadcast axes of size 1 stay at 0).
 */
export function batchIndex(outBatch: readonly number[], batchShape: readonly number[]): Int32Array {
  const total = sizeOf(outBatch);
  const result = new Int32Array(total);
  const rank = outBatch.length;
  const offset = rank - batchShape.length;
  const strides = stridesOf(batchShape);
  const outStrides = stridesOf(outBatch);
  for (let i = 0; i < total; i++) {
    let index = 0;
    for (let d = offset; d < rank; d++) {
      const size = batchShape[d - offset]!;
      if (size !== 1) index += (Math.floor(i / outStrides[d]!) % outBatch[d]!) * strides[d - offset]!;
    }
    result[i] = index;
  }
  return result;
}

function batchMatMul({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined {
  const a = input(inputs, 'a');
  const b = input(inputs, 'b');
  const av = backend.f32(a.dataId);
  const bv = backend.f32(b.dataId);
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  if (!av || !bv || aRank < 2 || bRank < 2) return undefined;
  const transposeA = Boolean(attrs['transposeA']);
  const transposeB = Boolean(attrs['transposeB']);
  const innerA = transposeA ? a.shape[aRank - 2]! : a.shape[aRank - 1]!;
  const innerB = transposeB ? b.shape[bRank - 1]! : b.shape[bRank - 2]!;
  const m = transposeA ? a.shape[aRank - 1]! : a.shape[aRank - 2]!;
  const n = transposeB ? b.shape[bRank - 2]! : b.shape[bRank - 1]!;
  if (innerA !== innerB) {
    throw new Error(
      `Error in matMul: inner shapes (${innerA}) and (${innerB}) of Tensors with shapes ` +
        `${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const outBatch = backend_util.assertAndGetBroadcastShape(batchA, batchB);
  const shape = [...outBatch, m, n];
  const out = backend.allocF32(sizeOf(shape));
  backend.addon.matMul(
    out,
    av,
    bv,
    m,
    n,
    innerA,
    transposeA,
    transposeB,
    batchIndex(outBatch, batchA),
    batchIndex(outBatch, batchB),
  );
  return backend.makeTensorInfo(shape, 'float32', out);
}

export const matMulKernels: NativeKernelSpec[] = [{ name: 'BatchMatMul', run: batchMatMul }];
