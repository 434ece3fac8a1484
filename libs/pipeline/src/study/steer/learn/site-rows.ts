/**
 * What a site looks like on the training split, at the last position: the members' activations,
 * their mean norm (the unit of a learned vector's α), the difference of class means, and each
 * coordinate's |r| with the class label (mem = 1) over both classes' members, which ranks the
 * coordinates a neuron-restricted vector keeps.
 */
import type { ForwardInput, GPT } from '@memgen/model';
import { recordActivations } from '@memgen/model';
import type { TrainingSplit } from './split.js';

/** [rows, width] row-major activations of `hook` at each row's last position. */
export function lastRows(model: GPT, input: ForwardInput, hook: string): Float32Array {
  const rec = recordActivations(model, [hook], () => model.forward(input).dispose(), 'last');
  const passes = rec.activations.get(hook)!;
  try {
    if (passes.length !== 1) throw new Error(`hook '${hook}' recorded ${passes.length} passes, expected 1`);
    return (passes[0]!.dataSync() as Float32Array).slice();
  } finally {
    for (const t of passes) t.dispose();
  }
}

export interface SiteSummary {
  hook: string;
  width: number;
  /** Mean L2 norm of the members' activations: the unit of α. */
  meanNorm: number;
  /** [width] mean over gen members minus mean over mem members. */
  genMinusMem: Float32Array;
  /** [width] |point-biserial r| of each coordinate with the class (0 where a coordinate is constant). */
  absR: Float32Array;
}

/** [width] the mean of `n` rows [n, width]. */
export function columnMeans(rows: Float32Array, n: number, width: number): Float64Array {
  const m = new Float64Array(width);
  for (let i = 0; i < n; i++) for (let j = 0; j < width; j++) m[j]! += rows[i * width + j]! / n;
  return m;
}

/** |r| per coordinate: class-mean gap over the pooled sd, times √(p(1−p)) with p = ½. */
function absCorrelation(mem: Float32Array, gen: Float32Array, n: number, width: number): Float32Array {
  const pooled = columnMeans(Float32Array.from([...mem, ...gen]), 2 * n, width);
  const [mm, gm] = [columnMeans(mem, n, width), columnMeans(gen, n, width)];
  const out = new Float32Array(width);
  for (let j = 0; j < width; j++) {
    let ss = 0;
    for (let i = 0; i < n; i++)
      ss += (mem[i * width + j]! - pooled[j]!) ** 2 + (gen[i * width + j]! - pooled[j]!) ** 2;
    const sd = Math.sqrt(ss / (2 * n));
    out[j] = sd > 0 ? Math.abs(mm[j]! - gm[j]!) / (2 * sd) : 0;
  }
  return out;
}

/** Mean L2 norm of the rows of every block of `blocks` (each [n, width] row-major): α's unit. */
export function meanRowNorm(blocks: readonly Float32Array[], width: number): number {
  let sum = 0;
  let count = 0;
  for (const rows of blocks)
    for (let i = 0; i < rows.length / width; i++, count++)
      sum += Math.hypot(...rows.subarray(i * width, (i + 1) * width));
  return sum / count;
}

/** The site's summary over the split's members. */
export function summariseSite(model: GPT, split: TrainingSplit, hook: string): SiteSummary {
  const { width } = model.hooks.point(hook);
  const n = split.pairs;
  const mem = lastRows(model, split.mem.input, hook);
  const gen = lastRows(model, split.gen.input, hook);
  const [mm, gm] = [columnMeans(mem, n, width), columnMeans(gen, n, width)];
  return {
    hook,
    width,
    meanNorm: meanRowNorm([mem, gen], width),
    genMinusMem: Float32Array.from(gm, (g, j) => g - mm[j]!),
    absR: absCorrelation(mem, gen, n, width),
  };
}
