/**
 * `stats.safetensors`: "nmd", "r" float32 [layers+1, d_model] (SPEC §5), plus "sd" (each
 * coordinate's pooled standard deviation, the unit of α in 'sd' steering); with MLP recording also
 * "nmd.mlp_post", "r.mlp_post", "sd.mlp_post" [layers, d_mlp]. Metadata: config hash, site names.
 */

import type { SiteMatrix } from '@memgen/analysis';
import { HostTensor, readSafetensors } from '@memgen/tensor';
import { float32Tensor, MLP_SUFFIX, siteList, writeSiteSets } from './site-sets-file.js';

/** NMD, r and sd of one kind of site. */
export interface SiteStatistics {
  sites: string[];
  nmd: SiteMatrix;
  r: SiteMatrix;
  sd: SiteMatrix;
}

export interface StudyStatistics {
  resid: SiteStatistics;
  mlpPost?: SiteStatistics;
  configHash: string;
}

const KINDS = ['nmd', 'r', 'sd'] as const;

function toHost(m: SiteMatrix): HostTensor<'float32'> {
  return new HostTensor('float32', [m.sites, m.width], Float32Array.from(m.values));
}

const tensorsOf = (set: SiteStatistics) => ({
  sites: set.sites,
  tensors: Object.fromEntries(KINDS.map((k) => [k, toHost(set[k])])),
});

export async function writeStatistics(path: string, stats: StudyStatistics): Promise<void> {
  await writeSiteSets(
    path,
    stats.configHash,
    tensorsOf(stats.resid),
    stats.mlpPost ? tensorsOf(stats.mlpPost) : undefined,
  );
}

function matrix(tensors: Record<string, HostTensor>, name: string, path: string): SiteMatrix {
  const t = float32Tensor(tensors, name, 2, 'sites, width', path);
  const [sites, width] = t.shape as [number, number];
  return { values: Float64Array.from(t.data as Float32Array), sites, width };
}

/**
 * Reads stats.safetensors (values widened to float64 for the analysis functions).
 * @throws Error naming the file and the tensor that is missing or misshapen.
 */
export async function readStatistics(path: string): Promise<StudyStatistics> {
  const { tensors, metadata } = await readSafetensors(path);
  const set = (suffix: string, metaKey: string): SiteStatistics => {
    const [nmd, r, sd] = KINDS.map((k) => matrix(tensors, `${k}${suffix}`, path)) as [
      SiteMatrix,
      SiteMatrix,
      SiteMatrix,
    ];
    const sites = siteList(metadata, metaKey, nmd.sites, path);
    for (const m of [r, sd]) {
      if (m.sites !== nmd.sites || m.width !== nmd.width)
        throw new Error(`${path}: nmd, r and sd differ in shape`);
    }
    return { sites, nmd, r, sd };
  };
  const out: StudyStatistics = { resid: set('', 'sites'), configHash: metadata.config_hash ?? '' };
  if (tensors[`nmd${MLP_SUFFIX}`]) out.mlpPost = set(MLP_SUFFIX, 'mlp_sites');
  return out;
}

/** Site indices left out of rankings: the embedding row when configured (it is `embed`, site 0). */
export function excludedSites(sites: readonly string[], excludeEmbedding: boolean): number[] {
  return excludeEmbedding && sites[0] === 'embed' ? [0] : [];
}
