/**
 * The layout activations.safetensors and stats.safetensors share: tensors of the residual sites
 * under their own names, MLP-neuron ones under `<name>.mlp_post`, and metadata `config_hash`,
 * `sites` and `mlp_sites` (JSON lists of hook names).
 */
import { type HostTensor, writeSafetensors } from '@memgen/tensor';

export const MLP_SUFFIX = '.mlp_post';

/** One kind of site: its hook names and its tensors by base name. */
export interface SiteSetTensors {
  sites: string[];
  tensors: Record<string, HostTensor>;
}

export async function writeSiteSets(
  path: string,
  configHash: string,
  resid: SiteSetTensors,
  mlpPost?: SiteSetTensors,
): Promise<void> {
  const tensors: Record<string, HostTensor> = { ...resid.tensors };
  const metadata: Record<string, string> = { config_hash: configHash, sites: JSON.stringify(resid.sites) };
  if (mlpPost) {
    for (const [name, t] of Object.entries(mlpPost.tensors)) tensors[`${name}${MLP_SUFFIX}`] = t;
    metadata.mlp_sites = JSON.stringify(mlpPost.sites);
  }
  await writeSafetensors(path, tensors, metadata);
}

/** The file's float32 tensor `name` of rank `rank`. @throws Error naming the file and tensor otherwise */
export function float32Tensor(
  tensors: Record<string, HostTensor>,
  name: string,
  rank: number,
  axes: string,
  path: string,
): HostTensor {
  const t = tensors[name];
  if (!t) throw new Error(`${path} has no tensor "${name}"`);
  if (t.dtype !== 'float32' || t.shape.length !== rank) {
    throw new Error(`${path}: "${name}" is ${t.dtype} [${t.shape}], expected float32 [${axes}]`);
  }
  return t;
}

/** The site names in metadata `key`. @throws Error unless it lists `expected` strings */
export function siteList(
  metadata: Record<string, string>,
  key: string,
  expected: number,
  path: string,
): string[] {
  const raw = metadata[key];
  let sites: unknown;
  try {
    sites = raw === undefined ? undefined : JSON.parse(raw);
  } catch {
    sites = undefined;
  }
  if (!Array.isArray(sites) || sites.length !== expected || sites.some((s) => typeof s !== 'string')) {
    throw new Error(`${path}: metadata "${key}" must list ${expected} site names`);
  }
  return sites as string[];
}
