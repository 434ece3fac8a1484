/**
 * The layout activations.safetensors and stats.safetensors share: tensors of the residual sites
 * under their own names, MLP-neuron ones under `<name>.mlp_post`, and metadata `config_hash`,
 * `sites` and `mlp_sites` (JSON lists of hook names).
 */
import { type HostTensor, readSafetensors, writeSafetensors } from '@memgen/tensor';

export const MLP_SUFFIX = '.mlp_post';

/** A file of this layout: the residual set, optionally the MLP-neuron set, the writer's config hash. */
export interface SiteSetsFile<S> {
  resid: S;
  mlpPost?: S;
  configHash: string;
}

/** Writes `file`, each set's tensors (by base name) from `tensorsOf`. */
export async function writeSiteSets<S extends { sites: string[] }>(
  path: string,
  file: SiteSetsFile<S>,
  tensorsOf: (set: S) => Record<string, HostTensor>,
): Promise<void> {
  const tensors: Record<string, HostTensor> = tensorsOf(file.resid);
  const metadata: Record<string, string> = {
    config_hash: file.configHash,
    sites: JSON.stringify(file.resid.sites),
  };
  if (file.mlpPost) {
    for (const [name, t] of Object.entries(tensorsOf(file.mlpPost))) tensors[`${name}${MLP_SUFFIX}`] = t;
    metadata.mlp_sites = JSON.stringify(file.mlpPost.sites);
  }
  await writeSafetensors(path, tensors, metadata);
}

/** Reads one set: `suffix` is '' or MLP_SUFFIX, `sitesKey` the metadata key of its site names. */
export type SetReader<S> = (
  tensors: Record<string, HostTensor>,
  metadata: Record<string, string>,
  suffix: string,
  sitesKey: string,
) => S;

/**
 * Reads a file of this layout; the MLP set is read when tensor `${probe}.mlp_post` exists.
 * @throws Error naming the file (and tensor) that is not valid safetensors or not of the layout
 */
export async function readSiteSets<S>(
  path: string,
  probe: string,
  readSet: SetReader<S>,
): Promise<SiteSetsFile<S>> {
  const { tensors, metadata } = await readSafetensors(path);
  const out: SiteSetsFile<S> = {
    resid: readSet(tensors, metadata, '', 'sites'),
    configHash: metadata.config_hash ?? '',
  };
  if (tensors[`${probe}${MLP_SUFFIX}`]) out.mlpPost = readSet(tensors, metadata, MLP_SUFFIX, 'mlp_sites');
  return out;
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
