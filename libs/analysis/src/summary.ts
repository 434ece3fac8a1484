/** docs/method.md §5 figures: mean |NMD| by site, and rows sorted within each site for the NMD heatmap. */
import { assertSiteMatrix, type SiteMatrix } from './activations.js';

/** Mean of |value| over the width of each site: `[sites]` (the paper's "mean |NMD| by layer"). */
export function meanAbsBySite(m: SiteMatrix): Float64Array {
  assertSiteMatrix(m, 'matrix');
  const out = new Float64Array(m.sites);
  for (let s = 0; s < m.sites; s++) {
    let sum = 0;
    for (let j = 0; j < m.width; j++) sum += Math.abs(m.values[s * m.width + j]!);
    out[s] = sum / m.width;
  }
  return out;
}

/**
 * A copy of `m` `[sites, width]` with each site's row sorted (neurons sorted within each layer, as in
 * the paper's heatmap). Column j then means "j-th largest", no longer a neuron identity.
 * @param order 'descending' (default) or 'ascending'
 */
export function sortedRowsBySite(
  m: SiteMatrix,
  order: 'ascending' | 'descending' = 'descending',
): SiteMatrix {
  assertSiteMatrix(m, 'matrix');
  const values = new Float64Array(m.values.length);
  for (let s = 0; s < m.sites; s++) {
    const row = m.values.slice(s * m.width, (s + 1) * m.width).sort();
    if (order === 'descending') row.reverse();
    values.set(row, s * m.width);
  }
  return { values, sites: m.sites, width: m.width };
}
