/** docs/method.md §5: the neuron mean difference, NMD = mean over mem members − mean over gen members. */
import type { Activations, SiteMatrix } from './activations.js';
import { groupSums, meanDifferenceAt, sumOverMembers } from './coordinate-sums.js';

/**
 * NMD `[sites, width]` = mean(mem) − mean(gen) per coordinate, accumulated in float64.
 * @param mem activations of mem members `[Nm, sites, width]`
 * @param gen activations of gen members `[Ng, sites, width]` (usually Ng = Nm, row i = pair i, but
 *   the means do not need pairing)
 */
export function neuronMeanDifference(mem: Activations, gen: Activations): SiteMatrix {
  const sums = groupSums(mem, gen);
  const values = new Float64Array(sums.memSums.length);
  for (let c = 0; c < values.length; c++) values[c] = meanDifferenceAt(sums, c, mem.members, gen.members);
  return { values, sites: mem.sites, width: mem.width };
}

/**
 * Per-coordinate mean over members `[sites, width]`, accumulated in float64 (e.g. one class's mean,
 * the value a mean-ablation sets).
 * @param a activations `[members, sites, width]`
 */
export function coordinateMeans(a: Activations): SiteMatrix {
  if (a.members < 1) throw new Error('coordinateMeans needs at least one member');
  const values = sumOverMembers(a);
  for (let c = 0; c < values.length; c++) values[c]! /= a.members;
  return { values, sites: a.sites, width: a.width };
}
