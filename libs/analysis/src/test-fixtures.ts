/** Seeded synthetic data for this library's tests (not exported from the package). */
import { type Stream, stream } from '@memgen/common';
import { type Activations, makeActivations } from './activations.js';

/** A standard normal draw from `stream`. */
export const gaussian = (stream: Stream): number => stream.normal();

/**
 * A shift of `size` on dims `0..dims-1` of one site and nothing elsewhere: a planted signal whose
 * coordinates a test knows exactly.
 */
export function plantedShift(site: number, dims: number, size: number) {
  return (s: number, j: number) => (s === site && j < dims ? size : 0);
}

/**
 * Paired activations `[n, sites, width]` of i.i.d. N(0, 1) noise, where `shift(site, dim)` is added
 * to mem members and subtracted from gen members, and an optional shared per-pair "story" vector
 * (scaled by `storyScale`) is added to both members of a pair.
 */
export function syntheticPairs(options: {
  n: number;
  sites: number;
  width: number;
  seed: number;
  shift?: (site: number, dim: number) => number;
  storyScale?: number;
  noiseScale?: number;
}): { mem: Activations; gen: Activations } {
  const { n, sites, width, seed } = options;
  const rng = stream(seed, 'fixture/synthetic-pairs');
  const size = n * sites * width;
  const mem = new Float32Array(size);
  const gen = new Float32Array(size);
  const noise = options.noiseScale ?? 1;
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < sites; s++) {
      for (let j = 0; j < width; j++) {
        const k = (i * sites + s) * width + j;
        const story = (options.storyScale ?? 0) * gaussian(rng);
        const delta = options.shift?.(s, j) ?? 0;
        mem[k] = story + delta + noise * gaussian(rng);
        gen[k] = story - delta + noise * gaussian(rng);
      }
    }
  }
  return { mem: makeActivations(mem, n, sites, width), gen: makeActivations(gen, n, sites, width) };
}
