/**
 * `stats.safetensors`: "nmd", "r" float32 [layers+1, d_model] (docs/method.md §5), plus "sd" (each
 * coordinate's pooled standard deviation, the unit of α in 'sd' steering); with MLP recording also
 * "nmd.mlp_post", "r.mlp_post", "sd.mlp_post" [layers, d_mlp]. Metadata: config hash, site names.
 */

import type { SiteMatrix } from '@memgen/analysis';
import { HostTensor } from '@memgen/tensor';
import { readSiteSets, type SetView, type SiteSetsFile, writeSiteSets } from '../common/site-sets-file.js';

/** NMD, r and sd of one kind of site. */
export interface SiteStatistics {
  sites: string[];
  nmd: SiteMatrix;
  r: SiteMatrix;
  sd: SiteMatrix;
}

/** The file's sets and the stats stage's config hash. */
export type StudyStatistics = SiteSetsFile<SiteStatistics>;

const KINDS = ['nmd', 'r', 'sd'] as const;

function toHost(m: SiteMatrix): HostTensor<'float32'> {
  return new HostTensor('float32', [m.sites, m.width], Float32Array.from(m.values));
}

export function writeStatistics(path: string, stats: StudyStatistics): Promise<void> {
  return writeSiteSets(path, stats, (set) => Object.fromEntries(KINDS.map((k) => [k, toHost(set[k])])));
}

function matrix(set: SetView, base: string): SiteMatrix {
  const t = set.float32(base, ['sites', 'width']);
  const [sites, width] = t.shape as [number, number];
  return { values: Float64Array.from(t.data as Float32Array), sites, width };
}

/**
 * Reads stats.safetensors (values widened to float64 for the analysis functions).
 * @throws Error naming the file and the tensor that is missing or misshapen.
 */
export function readStatistics(path: string): Promise<StudyStatistics> {
  return readSiteSets(path, 'nmd', (set): SiteStatistics => {
    const [nmd, r, sd] = KINDS.map((k) => matrix(set, k)) as [SiteMatrix, SiteMatrix, SiteMatrix];
    const sites = set.sites(nmd.sites);
    for (const m of [r, sd]) {
      if (m.sites !== nmd.sites || m.width !== nmd.width)
        throw new Error(`${path}: nmd, r and sd differ in shape`);
    }
    return { sites, nmd, r, sd };
  });
}

/** Site indices left out of rankings: the embedding row when configured (it is `embed`, site 0). */
export function excludedSites(sites: readonly string[], excludeEmbedding: boolean): number[] {
  return excludeEmbedding && sites[0] === 'embed' ? [0] : [];
}
