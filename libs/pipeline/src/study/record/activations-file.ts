/**
 * `activations.safetensors`: "mem" and "gen" float32 [pairs, layers+1, d_model] (row i of each =
 * pair i, sites `embed`, `blocks.{i}.resid_post`), and with record.mlpPost also "mem.mlp_post" and
 * "gen.mlp_post" [pairs, layers, d_mlp]. Metadata: the stage's config hash and the site names.
 */

import { type Activations, makeActivations } from '@memgen/analysis';
import { HostTensor } from '@memgen/tensor';
import { readSiteSets, type SetView, type SiteSetsFile, writeSiteSets } from '../common/site-sets-file.js';

/** Activations of one kind of site (residual stream, or MLP neurons). */
export interface ActivationSet {
  /** Hook names, one per site (index = the site axis). */
  sites: string[];
  mem: Activations;
  gen: Activations;
}

/** The file's sets and the record stage's config hash. */
export type StudyActivations = SiteSetsFile<ActivationSet>;

function toHost(a: Activations): HostTensor<'float32'> {
  if (!(a.data instanceof Float32Array)) throw new Error('activations are stored as float32');
  return new HostTensor('float32', [a.members, a.sites, a.width], a.data);
}

export function writeActivations(path: string, acts: StudyActivations): Promise<void> {
  return writeSiteSets(path, acts, (set) => ({ mem: toHost(set.mem), gen: toHost(set.gen) }));
}

function asActivations(set: SetView, base: string): Activations {
  const t = set.float32(base, ['pairs', 'sites', 'width']);
  const [n, s, w] = t.shape as [number, number, number];
  // Copy: the decoded tensor is a view into the file's bytes.
  return makeActivations(Float32Array.from(t.data as Float32Array), n, s, w);
}

/**
 * Reads activations.safetensors and checks that mem and gen agree in shape.
 * @throws Error naming the file and the tensor that is missing or misshapen.
 */
export function readActivations(path: string): Promise<StudyActivations> {
  return readSiteSets(path, 'mem', (set): ActivationSet => {
    const mem = asActivations(set, 'mem');
    const gen = asActivations(set, 'gen');
    if (mem.members !== gen.members || mem.sites !== gen.sites || mem.width !== gen.width) {
      throw new Error(`${path}: "mem${set.suffix}" and "gen${set.suffix}" differ in shape`);
    }
    return { sites: set.sites(mem.sites), mem, gen };
  });
}
