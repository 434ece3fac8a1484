/**
 * `directions.safetensors`: every learned direction of the steer stage, readable from Python
 * (`safetensors.numpy.load_file`): per (family, α) key `f{i}-a{α}`, float32 [width] tensors
 * `{key}.to_gen`, `{key}.to_mem`, `{key}.shuffled_to_gen`, `{key}.shuffled_to_mem` and `{key}.abs_r`,
 * and in the metadata `{key}` = JSON {hook, unit, norm, pairs} — the site, α's unit, the vectors'
 * norm and the training pairs they were learned on. Alignment-search subspaces per family key
 * `f{i}-das`: float32 `{key}.basis` [rank, width] (orthonormal rows), `{key}.mean_gen`,
 * `{key}.mean_mem` [width] (the class means steered toward), the same three with a `shuffled_`
 * prefix for the shuffled-label twin, and metadata {hook, rank, unit, shift, pairs}. Written
 * (empty) when the grid has no learned family, so the stage's outputs are always the same files.
 */
import { HostTensor, readSafetensors, writeSafetensors } from '@memgen/tensor';
import type { LearnedSubspace, SubspaceFit } from './das-learned.js';
import type { LearnedDirection } from './learned.js';

const PARTS = ['to_gen', 'to_mem', 'shuffled_to_gen', 'shuffled_to_mem', 'abs_r'] as const;

function partsOf(d: LearnedDirection): Record<(typeof PARTS)[number], Float32Array> {
  return {
    to_gen: d.vectors.toGen,
    to_mem: d.vectors.toMem,
    shuffled_to_gen: d.shuffled.toGen,
    shuffled_to_mem: d.shuffled.toMem,
    abs_r: d.absR,
  };
}

function subspaceParts(s: LearnedSubspace): Record<string, HostTensor> {
  const W = s.means.gen.length;
  const parts = (prefix: string, fit: SubspaceFit): Record<string, HostTensor> => ({
    [`${prefix}basis`]: new HostTensor('float32', [fit.basis.length / W, W], fit.basis),
    [`${prefix}mean_gen`]: new HostTensor('float32', [W], fit.means.gen),
    [`${prefix}mean_mem`]: new HostTensor('float32', [W], fit.means.mem),
  });
  return { ...parts('', s), ...parts('shuffled_', s.shuffled) };
}

export async function writeDirections(
  path: string,
  learned: ReadonlyMap<string, LearnedDirection>,
  subspaces: ReadonlyMap<string, LearnedSubspace> = new Map(),
) {
  const tensors: Record<string, HostTensor> = {};
  const metadata: Record<string, string> = {};
  for (const [key, s] of subspaces) {
    for (const [part, t] of Object.entries(subspaceParts(s))) tensors[`${key}.${part}`] = t;
    const { hook, rank, unit, shift, pairs } = s;
    metadata[key] = JSON.stringify({ hook, rank, unit, shift, pairs });
  }
  for (const [key, d] of learned) {
    for (const [part, v] of Object.entries(partsOf(d))) {
      tensors[`${key}.${part}`] = new HostTensor('float32', [v.length], v);
    }
    metadata[key] = JSON.stringify({ hook: d.hook, unit: d.unit, norm: d.norm, pairs: d.pairs });
  }
  await writeSafetensors(path, tensors, metadata);
}

/** A float32 tensor of a read file. @throws Error naming the file and the missing tensor */
function float32Tensor(file: Awaited<ReturnType<typeof readSafetensors>>, path: string, name: string) {
  const t = file.tensors[name];
  if (t?.dtype !== 'float32') throw new Error(`${path}: no float32 tensor '${name}'`);
  return t;
}

/** The vectors of one key, as written. @throws Error naming the file and the missing tensor */
export async function readDirectionVectors(path: string, key: string) {
  const file = await readSafetensors(path);
  const get = (part: (typeof PARTS)[number]) =>
    float32Tensor(file, path, `${key}.${part}`).data as Float32Array;
  return {
    toGen: get('to_gen'),
    toMem: get('to_mem'),
    absR: get('abs_r'),
    meta: JSON.parse(file.metadata[key] ?? 'null'),
  };
}

/** A family's subspace as written: basis [rank, width], the class means, and its metadata. */
export async function readSubspace(path: string, key: string) {
  const file = await readSafetensors(path);
  const get = (part: string) => float32Tensor(file, path, `${key}.${part}`);
  const basis = get('basis');
  return {
    basis: { shape: basis.shape, data: basis.data as Float32Array },
    meanGen: get('mean_gen').data as Float32Array,
    meanMem: get('mean_mem').data as Float32Array,
    meta: JSON.parse(file.metadata[key] ?? 'null'),
  };
}
