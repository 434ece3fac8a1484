/**
 * `activations.safetensors`: "mem" and "gen" float32 [pairs, layers+1, d_model] (row i of each =
 * pair i, sites `embed`, `blocks.{i}.resid_post`), and with record.mlpPost also "mem.mlp_post" and
 * "gen.mlp_post" [pairs, layers, d_mlp]. Metadata: the stage's config hash and the site names.
 */

import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Activations, makeActivations } from '@memgen/analysis';
import { HostTensor, readSafetensors, writeSafetensors } from '@memgen/tensor';

/** Activations of one kind of site (residual stream, or MLP neurons). */
export interface ActivationSet {
  /** Hook names, one per site (index = the site axis). */
  sites: string[];
  mem: Activations;
  gen: Activations;
}

export interface StudyActivations {
  resid: ActivationSet;
  mlpPost?: ActivationSet;
  /** The record stage's config hash stored in the file. */
  configHash: string;
}

const MLP_SUFFIX = '.mlp_post';

function toHost(a: Activations): HostTensor<'float32'> {
  if (!(a.data instanceof Float32Array)) throw new Error('activations are stored as float32');
  return new HostTensor('float32', [a.members, a.sites, a.width], a.data);
}

export async function writeActivations(path: string, acts: StudyActivations): Promise<void> {
  const tensors: Record<string, HostTensor> = { mem: toHost(acts.resid.mem), gen: toHost(acts.resid.gen) };
  const metadata: Record<string, string> = {
    config_hash: acts.configHash,
    sites: JSON.stringify(acts.resid.sites),
  };
  if (acts.mlpPost) {
    tensors[`mem${MLP_SUFFIX}`] = toHost(acts.mlpPost.mem);
    tensors[`gen${MLP_SUFFIX}`] = toHost(acts.mlpPost.gen);
    metadata.mlp_sites = JSON.stringify(acts.mlpPost.sites);
  }
  await mkdir(dirname(path), { recursive: true });
  await writeSafetensors(path, tensors, metadata);
}

function asActivations(t: HostTensor | undefined, name: string, path: string): Activations {
  if (!t) throw new Error(`${path} has no tensor "${name}"`);
  if (t.dtype !== 'float32' || t.shape.length !== 3) {
    throw new Error(`${path}: "${name}" is ${t.dtype} [${t.shape}], expected float32 [pairs, sites, width]`);
  }
  const [n, s, w] = t.shape as [number, number, number];
  // Copy: the decoded tensor is a view into the file's bytes.
  return makeActivations(Float32Array.from(t.data as Float32Array), n, s, w);
}

function siteList(meta: string | undefined, expected: number, what: string, path: string): string[] {
  const sites = meta === undefined ? undefined : (JSON.parse(meta) as unknown);
  if (!Array.isArray(sites) || sites.length !== expected || sites.some((s) => typeof s !== 'string')) {
    throw new Error(`${path}: metadata "${what}" must list ${expected} site names`);
  }
  return sites as string[];
}

/**
 * Reads activations.safetensors and checks that mem and gen agree in shape.
 * @throws Error naming the file and the tensor that is missing or misshapen.
 */
export async function readActivations(path: string): Promise<StudyActivations> {
  const { tensors, metadata } = await readSafetensors(path);
  const set = (suffix: string, metaKey: string): ActivationSet => {
    const mem = asActivations(tensors[`mem${suffix}`], `mem${suffix}`, path);
    const gen = asActivations(tensors[`gen${suffix}`], `gen${suffix}`, path);
    if (mem.members !== gen.members || mem.sites !== gen.sites || mem.width !== gen.width) {
      throw new Error(`${path}: "mem${suffix}" and "gen${suffix}" differ in shape`);
    }
    return { sites: siteList(metadata[metaKey], mem.sites, metaKey, path), mem, gen };
  };
  const out: StudyActivations = { resid: set('', 'sites'), configHash: metadata.config_hash ?? '' };
  if (tensors[`mem${MLP_SUFFIX}`]) out.mlpPost = set(MLP_SUFFIX, 'mlp_sites');
  return out;
}
