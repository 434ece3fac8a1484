/**
 * Iteration plans handed to the addon: output dimensions with the input strides that walk them,
 * size-1 dimensions dropped and contiguous neighbours merged, so most calls become one or two
 * long inner loops.
 */

/**
 * Plan for `out = a op b` with numpy broadcasting: a flat list of [size, strideA, strideB] per
 * output dimension, outermost first (broadcast dimensions have stride 0).
 * @param outShape the broadcast shape of aShape and bShape
 */
export function broadcastPlan(
  outShape: readonly number[],
  aShape: readonly number[],
  bShape: readonly number[],
) {
  const dims: [number, number, number][] = [];
  let strideA = 1;
  let strideB = 1;
  const rank = outShape.length;
  for (let d = rank - 1; d >= 0; d--) {
    const size = outShape[d]!;
    const sizeA = aShape[d - (rank - aShape.length)] ?? 1;
    const sizeB = bShape[d - (rank - bShape.length)] ?? 1;
    const sa = sizeA === 1 ? 0 : strideA;
    const sb = sizeB === 1 ? 0 : strideB;
    strideA *= sizeA;
    strideB *= sizeB;
    if (size === 1) continue;
    const inner = dims[dims.length - 1];
    if (inner && sa === inner[1] * inner[0] && sb === inner[2] * inner[0]) {
      inner[0] *= size;
    } else {
      dims.push([size, sa, sb]);
    }
  }
  if (dims.length === 0) dims.push([1, 0, 0]);
  return dims.reverse().flat();
}

/**
 * Plan for a strided copy: per output dimension (outermost first) its size and the input stride
 * that walks it, as a flat [size, stride, …] list.
 */
export function copyPlan(sizes: readonly number[], strides: readonly number[]): number[] {
  const dims: [number, number][] = [];
  for (let d = sizes.length - 1; d >= 0; d--) {
    const size = sizes[d]!;
    const stride = strides[d]!;
    if (size === 1) continue;
    const inner = dims[dims.length - 1];
    if (inner && stride === inner[1] * inner[0]) {
      inner[0] *= size;
    } else {
      dims.push([size, stride]);
    }
  }
  if (dims.length === 0) dims.push([1, 1]);
  return dims.reverse().flat();
}
