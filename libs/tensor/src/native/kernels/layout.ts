/**
 * Data-movement kernels on 4-byte tensors (float32, int32): Transpose, Slice (always a copy: the
 * cpu kernel's views would pin pooled buffers), Tile, PadV2 (Slice's gradient), Concat, SplitV, GatherV2, UnsortedSegmentSum.
 */
import { backend_util, slice_util, type TensorInfo, util } from '@tensorflow/tfjs-core';
import {
  allocLike,
  input,
  type NativeKernelArgs,
  type NativeKernelSpec,
  sizeOf,
  stridesOf,
} from './common.js';
import { copyPlan } from './plans.js';

function transpose({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined {
  const x = input(inputs, 'x');
  const values = backend.words(x.dataId);
  if (!values) return undefined;
  const perm = attrs['perm'] as number[];
  if (perm.every((p, i) => p === i)) {
    // Nothing moves: share the data, as the Identity kernel does (a 154 MB copy for GPT-2's wte).
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  }
  const strides = stridesOf(x.shape);
  const shape = perm.map((p) => x.shape[p]!);
  const out = allocLike(backend, values, values.length);
  if (out.length > 0) {
    backend.addon.stridedCopy(
      out,
      values,
      0,
      copyPlan(
        shape,
        perm.map((p) => strides[p]!),
      ),
    );
  }
  return backend.makeTensorInfo(shape, x.dtype, out);
}

function slice({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined {
  const x = input(inputs, 'x');
  const values = backend.words(x.dataId);
  if (!values) return undefined;
  const [begin, size] = slice_util.parseSliceParams(x, attrs['begin'] as number[], attrs['size'] as number[]);
  slice_util.assertParamsValid(x, begin!, size!);
  const strides = stridesOf(x.shape);
  const out = allocLike(backend, values, sizeOf(size!));
  if (out.length > 0) {
    const offset = begin!.reduce((sum, b, d) => sum + b * strides[d]!, 0);
    backend.addon.stridedCopy(out, values, offset, copyPlan(size!, strides));
  }
  return backend.makeTensorInfo(size!, x.dtype, out);
}

function tile({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined {
  const x = input(inputs, 'x');
  const values = backend.words(x.dataId);
  const reps = attrs['reps'] as number[];
  if (!values || reps.length !== x.shape.length) return undefined;
  const strides = stridesOf(x.shape);
  // Each axis d becomes [reps[d] (stride 0), shape[d] (its stride)].
  const sizes = x.shape.flatMap((s, d) => [reps[d]!, s]);
  const walk = x.shape.flatMap((_, d) => [0, strides[d]!]);
  const shape = x.shape.map((s, d) => s * reps[d]!);
  const out = allocLike(backend, values, sizeOf(shape));
  if (out.length > 0) backend.addon.stridedCopy(out, values, 0, copyPlan(sizes, walk));
  return backend.makeTensorInfo(shape, x.dtype, out);
}

function padV2({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined {
  const x = input(inputs, 'x');
  const values = backend.words(x.dataId);
  const paddings = attrs['paddings'] as [number, number][];
  if (!values || paddings.length !== x.shape.length) return undefined;
  const shape = x.shape.map((s, d) => paddings[d]![0] + s + paddings[d]![1]);
  const out = allocLike(backend, values, sizeOf(shape));
  out.fill(Number(attrs['constantValue'] ?? 0));
  if (values.length > 0) {
    const strides = stridesOf(shape);
    const offset = paddings.reduce((sum, [before], d) => sum + before * strides[d]!, 0);
    backend.addon.stridedScatter(out, values, offset, copyPlan(x.shape, strides));
  }
  return backend.makeTensorInfo(shape, x.dtype, out);
}

function concat({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined {
  const tensors = Object.values(inputs) as TensorInfo[];
  const first = tensors[0];
  if (!first || tensors.some((t) => t.dtype !== first.dtype)) return undefined;
  const axis = util.parseAxisParam(attrs['axis'] as number, first.shape)[0]!;
  const shapes = tensors.map((t) => t.shape);
  backend_util.assertParamsConsistent(shapes, axis);
  const shape = backend_util.computeOutShape(shapes, axis);
  const parts: (Float32Array | Int32Array)[] = [];
  for (const t of tensors) {
    const v = backend.words(t.dataId);
    if (!v) return undefined;
    if (v.length > 0) parts.push(v);
  }
  const like = parts[0] ?? backend.words(first.dataId)!;
  const out = allocLike(backend, like, sizeOf(shape));
  if (out.length > 0) backend.addon.concat(out, parts, sizeOf(shape.slice(0, axis)));
  return backend.makeTensorInfo(shape, first.dtype, out);
}

function splitV({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo[] | undefined {
  const x = input(inputs, 'x');
  const values = backend.words(x.dataId);
  if (!values) return undefined;
  const axis = util.parseAxisParam(attrs['axis'] as number, x.shape)[0]!;
  const sizes = backend_util.prepareSplitSize(x, attrs['numOrSizeSplits'] as number[] | number, axis);
  const shapes = sizes.map((s) => x.shape.map((d, i) => (i === axis ? s : d)));
  const outs = shapes.map((shape) => allocLike(backend, values, sizeOf(shape)));
  const outer = sizeOf(x.shape.slice(0, axis));
  if (values.length > 0) {
    backend.addon.split(
      values,
      outs.filter((o) => o.length > 0),
      outer,
    );
  }
  return outs.map((o, i) => backend.makeTensorInfo(shapes[i]!, x.dtype, o));
}

function gatherV2({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined {
  const x = input(inputs, 'x');
  const indices = input(inputs, 'indices');
  const values = backend.words(x.dataId);
  const ids = backend.words(indices.dataId);
  if (!values || !(ids instanceof Int32Array) || (attrs['batchDims'] ?? 0) !== 0) return undefined;
  const axis = util.parseAxisParam(attrs['axis'] as number, x.shape)[0]!;
  const axisSize = x.shape[axis]!;
  const shape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
  const out = allocLike(backend, values, sizeOf(shape));
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const bad = backend.addon.gather(out, values, ids, outer, axisSize, inner);
  if (bad >= 0) {
    if (out instanceof Float32Array) backend.pool.release(out);
    throw new Error(`GatherV2: the index value ${ids[bad]} is not in [0, ${axisSize - 1}]`);
  }
  return backend.makeTensorInfo(shape, x.dtype, out);
}

function unsortedSegmentSum({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo | undefined {
  const x = input(inputs, 'x');
  const segmentIds = input(inputs, 'segmentIds');
  const values = backend.f32(x.dataId);
  const ids = backend.words(segmentIds.dataId);
  if (!values || !(ids instanceof Int32Array)) return undefined;
  const numSegments = attrs['numSegments'] as number;
  const shape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = backend.allocF32(sizeOf(shape));
  backend.addon.segmentSum(out, values, ids, numSegments);
  return backend.makeTensorInfo(shape, 'float32', out);
}

export const layoutKernels: NativeKernelSpec[] = [
  { name: 'Transpose', run: transpose },
  { name: 'Slice', run: slice },
  { name: 'Tile', run: tile },
  { name: 'PadV2', run: padV2 },
  { name: 'Concat', run: concat },
  { name: 'SplitV', run: splitV },
  { name: 'GatherV2', run: gatherV2 },
  { name: 'UnsortedSegmentSum', run: unsortedSegmentSum },
];
