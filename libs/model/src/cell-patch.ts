/**
 * Patching whole activation vectors at chosen (row, position) cells of one forward pass — the
 * `patch-cells` intervention — for token spans that sit at different positions in different rows.
 */
import * as tf from '@tensorflow/tfjs';
import type { HookPoint } from './hooks.js';
import type { Intervention } from './interventions.js';

export type CellPatch = Extract<Intervention, { kind: 'patch-cells' }>;

/**
 * A cell patch as tensors: keep [B, T, 1] (0 at patched cells, 1 elsewhere) and values [B, T, W]
 * (the patched vectors at their cells, 0 elsewhere), applied as act · keep + values.
 * @throws Error naming the hook when a cell is outside the batch, listed twice, or values do not fit
 */
function compileCells(iv: CellPatch, p: HookPoint): { keep: Float32Array; values: Float32Array } {
  const where = `intervention patch-cells on '${p.name}'`;
  const { batch, length, cells } = iv;
  if (!Number.isInteger(batch) || batch < 1 || !Number.isInteger(length) || length < 1)
    throw new Error(`${where}: batch ${batch} and length ${length} must be positive integers`);
  if (iv.values.length !== cells.length * p.width)
    throw new Error(
      `${where}: values has ${iv.values.length} numbers, ${cells.length} cells × width ${p.width}`,
    );
  const keep = new Float32Array(batch * length).fill(1);
  const values = new Float32Array(batch * length * p.width);
  cells.forEach((cell, n) => {
    if (!Number.isInteger(cell) || cell < 0 || cell >= batch * length)
      throw new Error(`${where}: cell ${cell} outside [0, ${batch * length})`);
    if (keep[cell] === 0) throw new Error(`${where}: cell ${cell} listed twice`);
    keep[cell] = 0;
    values.set(iv.values.subarray(n * p.width, (n + 1) * p.width), cell * p.width);
  });
  return { keep, values };
}

/** The hook function of a cell patch: the whole activation, which must be [batch, length, width]. */
export function cellPatchHook(iv: CellPatch, p: HookPoint, own: (t: tf.Tensor) => tf.Tensor) {
  const { keep, values } = compileCells(iv, p);
  const keepT = own(tf.tensor3d(keep, [iv.batch, iv.length, 1]));
  const valuesT = own(tf.tensor3d(values, [iv.batch, iv.length, p.width]));
  return (act: tf.Tensor) => {
    if (act.shape[0] !== iv.batch || act.shape[1] !== iv.length)
      throw new Error(
        `intervention patch-cells on '${iv.hook}': the forward pass is [${act.shape.slice(0, 2).join(', ')}], the patch [${iv.batch}, ${iv.length}]`,
      );
    return tf.add(tf.mul(act, keepT), valuesT);
  };
}
