/** SPEC §5: the neuron mean difference, NMD = mean over mem members − mean over gen members. */
import { type Activations, assertActivations, type SiteMatrix } from './activations.js';
import { assertSameSites, sumOverMembers } from './coordinate-sums.js';

/**
 * NMD `[sites, width]` = mean(mem) − mean(gen) per coordinate, accumulated in float64.
 * @param mem activations of mem members `[Nm, sites, width]`
 * @param gen activations of gen members `[Ng, sites, width]` (usually Ng = Nm, row i = pair i, but
 *   the means do not need pairing)
 */
export function neuronMeanDifference(mem: Activations, gen: Activations): SiteMatrix {
  assertActivations(mem, 'mem');
  assertActivations(gen, 'gen');
  assertSameSites(mem, gen);
  const memSums = sumOverMembers(mem);
  const genSums = sumOverMembers(gen);
  const values = new Float64Array(memSums.length);
  for (let c = 0; c < values.length; c++) {
    values[c] = memSums[c]! / mem.members - genSums[c]! / gen.members;
  }
  return { values, sites: mem.sites, width: mem.width };
}
