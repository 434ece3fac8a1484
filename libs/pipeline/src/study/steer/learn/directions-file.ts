/**
 * `directions.safetensors`: every learned direction of the steer stage, readable from Python
 * (`safetensors.numpy.load_file`): per (family, α) key `f{i}-a{α}`, float32 [width] tensors
 * `{key}.to_gen`, `{key}.to_mem`, `{key}.shuffled_to_gen`, `{key}.shuffled_to_mem` and `{key}.abs_r`,
 * and in the metadata `{key}` = JSON {hook, unit, norm, pairs} — the site, α's unit, the vectors'
 * norm and the training pairs they were learned on. Written (empty) when the grid has no direction
 * family, so the stage's outputs are always the same files.
 */
import { HostTensor, readSafetensors, writeSafetensors } from '@memgen/tensor';
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

export async function writeDirections(path: string, learned: ReadonlyMap<string, LearnedDirection>) {
  const tensors: Record<string, HostTensor> = {};
  const metadata: Record<string, string> = {};
  for (const [key, d] of learned) {
    for (const [part, v] of Object.entries(partsOf(d))) {
      tensors[`${key}.${part}`] = new HostTensor('float32', [v.length], v);
    }
    metadata[key] = JSON.stringify({ hook: d.hook, unit: d.unit, norm: d.norm, pairs: d.pairs });
  }
  await writeSafetensors(path, tensors, metadata);
}

/** The vectors of one key, as written. @throws Error naming the file and the missing tensor */
export async function readDirectionVectors(path: string, key: string) {
  const file = await readSafetensors(path);
  const get = (part: (typeof PARTS)[number]) => {
    const t = file.tensors[`${key}.${part}`];
    if (t?.dtype !== 'float32') throw new Error(`${path}: no float32 tensor '${key}.${part}'`);
    return t!.data as Float32Array;
  };
  return {
    toGen: get('to_gen'),
    toMem: get('to_mem'),
    absR: get('abs_r'),
    meta: JSON.parse(file.metadata[key] ?? 'null'),
  };
}
