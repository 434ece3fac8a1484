/** Per-coordinate accumulations over members, in float64, shared by NMD, r and the noise test. */
import { type Activations, assertActivations } from './activations.js';

/** Σ over members of each coordinate: `[sites * width]`. */
export function sumOverMembers(a: Activations): Float64Array {
  const stride = a.sites * a.width;
  const sums = new Float64Array(stride);
  const data = a.data;
  for (let m = 0; m < a.members; m++) {
    const base = m * stride;
    for (let c = 0; c < stride; c++) sums[c]! += data[base + c]!;
  }
  return sums;
}

/** Adds Σ over members of (x − centre[c])² into `out[c]` (second pass of a two-pass variance). */
export function addSquaredDeviations(a: Activations, centre: Float64Array, out: Float64Array): void {
  const stride = a.sites * a.width;
  const data = a.data;
  for (let m = 0; m < a.members; m++) {
    const base = m * stride;
    for (let c = 0; c < stride; c++) {
      const d = data[base + c]! - centre[c]!;
      out[c]! += d * d;
    }
  }
}

/** Throws unless two activation arrays share sites and width (member counts may differ). */
export function assertSameSites(mem: Activations, gen: Activations): void {
  if (mem.sites !== gen.sites || mem.width !== gen.width) {
    throw new Error(
      `mem has [sites, width] = [${mem.sites}, ${mem.width}] but gen has [${gen.sites}, ${gen.width}]`,
    );
  }
}

/** Per-coordinate Σ over the mem members and over the gen members, `[sites * width]` each. */
export interface GroupSums {
  readonly memSums: Float64Array;
  readonly genSums: Float64Array;
}

/** Checks mem and gen (same sites and width) and sums each over its members. */
export function groupSums(mem: Activations, gen: Activations): GroupSums {
  assertActivations(mem, 'mem');
  assertActivations(gen, 'gen');
  assertSameSites(mem, gen);
  return { memSums: sumOverMembers(mem), genSums: sumOverMembers(gen) };
}

/** mean(mem) − mean(gen) of coordinate `c`. */
export function meanDifferenceAt(
  { memSums, genSums }: GroupSums,
  c: number,
  nMem: number,
  nGen: number,
): number {
  return memSums[c]! / nMem - genSums[c]! / nGen;
}
