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

/** One set of a file as its reader sees it; every error names the file (and tensor). */
export interface SetView {
  /** The set's tensor-name suffix: '' (residual sites) or MLP_SUFFIX. */
  suffix: string;
  /** The set's float32 tensor `${base}${suffix}` with one axis per name in `axes`. */
  float32(base: string, axes: readonly string[]): HostTensor;
  /** The set's site names. @throws Error unless the metadata lists `expected` of them */
  sites(expected: number): string[];
}

/** Reads one set of a file. */
export type SetReader<S> = (set: SetView) => S;

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
  const view = (suffix: string, sitesKey: string): SetView => ({
    suffix,
    float32: (base, axes) => float32Tensor(tensors[base + suffix], base + suffix, axes, path),
    sites: (expected) => siteList(metadata[sitesKey], sitesKey, expected, path),
  });
  const out: SiteSetsFile<S> = { resid: readSet(view('', 'sites')), configHash: metadata.config_hash ?? '' };
  if (tensors[`${probe}${MLP_SUFFIX}`]) out.mlpPost = readSet(view(MLP_SUFFIX, 'mlp_sites'));
  return out;
}

/** Tensor `name` (`t`). @throws Error unless it is float32 with one dimension per name in `axes` */
function float32Tensor(t: HostTensor | undefined, name: string, axes: readonly string[], path: string) {
  if (!t) throw new Error(`${path} has no tensor "${name}"`);
  if (t.dtype !== 'float32' || t.shape.length !== axes.length) {
    throw new Error(`${path}: "${name}" is ${t.dtype} [${t.shape}], expected float32 [${axes.join(', ')}]`);
  }
  return t;
}

/** The site names in metadata `key` (`raw`). @throws Error unless it lists `expected` strings */
function siteList(raw: string | undefined, key: string, expected: number, path: string): string[] {
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
