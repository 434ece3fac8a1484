/**
 * `stats.safetensors`: "nmd", "r" float32 [layers+1, d_model] (SPEC §5), plus "sd" (each
 * coordinate's pooled standard deviation, the unit of α in 'sd' steering); with MLP recording also
 * "nmd.mlp_post", "r.mlp_post", "sd.mlp_post" [layers, d_mlp]. Metadata: config hash, site names.
 */

import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SiteMatrix } from '@memgen/analysis';
import { HostTensor, readSafetensors, writeSafetensors } from '@memgen/tensor';

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
const MLP_SUFFIX = '.mlp_post';

function toHost(m: SiteMatrix): HostTensor<'float32'> {
  return new HostTensor('float32', [m.sites, m.width], Float32Array.from(m.values));
}

export async function writeStatistics(path: string, stats: StudyStatistics): Promise<void> {
  const tensors: Record<string, HostTensor> = {};
  const metadata: Record<string, string> = {
    config_hash: stats.configHash,
    sites: JSON.stringify(stats.resid.sites),
  };
  for (const k of KINDS) tensors[k] = toHost(stats.resid[k]);
  if (stats.mlpPost) {
    for (const k of KINDS) tensors[`${k}${MLP_SUFFIX}`] = toHost(stats.mlpPost[k]);
    metadata.mlp_sites = JSON.stringify(stats.mlpPost.sites);
  }
  await mkdir(dirname(path), { recursive: true });
  await writeSafetensors(path, tensors, metadata);
}

function matrix(t: HostTensor | undefined, name: string, path: string): SiteMatrix {
  if (!t) throw new Error(`${path} has no tensor "${name}"`);
  if (t.dtype !== 'float32' || t.shape.length !== 2) {
    throw new Error(`${path}: "${name}" is ${t.dtype} [${t.shape}], expected float32 [sites, width]`);
  }
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
    const [nmd, r, sd] = KINDS.map((k) => matrix(tensors[`${k}${suffix}`], `${k}${suffix}`, path)) as [
      SiteMatrix,
      SiteMatrix,
      SiteMatrix,
    ];
    const sites = JSON.parse(metadata[metaKey] ?? 'null') as unknown;
    if (!Array.isArray(sites) || sites.length !== nmd.sites) {
      throw new Error(`${path}: metadata "${metaKey}" must list ${nmd.sites} site names`);
    }
    for (const m of [r, sd]) {
      if (m.sites !== nmd.sites || m.width !== nmd.width)
        throw new Error(`${path}: nmd, r and sd differ in shape`);
    }
    return { sites: sites as string[], nmd, r, sd };
  };
  const out: StudyStatistics = { resid: set('', 'sites'), configHash: metadata.config_hash ?? '' };
  if (tensors[`nmd${MLP_SUFFIX}`]) out.mlpPost = set(MLP_SUFFIX, 'mlp_sites');
  return out;
}

/** Site indices left out of rankings: the embedding row when configured (it is `embed`, site 0). */
export function excludedSites(sites: readonly string[], excludeEmbedding: boolean): number[] {
  return excludeEmbedding && sites[0] === 'embed' ? [0] : [];
}
