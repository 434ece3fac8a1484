/**
 * Seeded randomness for every resampling in this library: one generator type (xoroshiro128+ from
 * pure-rand) so that a seed means the same stream everywhere. Never Math.random.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** A mutable seeded generator (pure-rand 8 generators advance in place). */
export type Rng = RandomGenerator;

/**
 * Creates a generator from an integer seed.
 * @throws if `seed` is not a safe integer.
 */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`seed must be a safe integer, got ${seed}`);
  }
  // pure-rand seeds from 32 bits; mix the high word in so that large or negative seeds stay distinct.
  const low = seed >>> 0;
  const high = Math.floor(seed / 0x1_0000_0000);
  return xoroshiro128plus((low ^ Math.imul(high, 0x9e3779b1)) | 0);
}

/** A uniform integer in `[from, to]` (both included). */
export function randomInt(rng: Rng, from: number, to: number): number {
  return uniformInt(rng, from, to);
}

/** A uniform float in `[0, 1)`. */
export function randomUnit(rng: Rng): number {
  return uniformFloat64(rng);
}

/** A fair coin: true with probability 1/2. */
export function randomBit(rng: Rng): boolean {
  return uniformInt(rng, 0, 1) === 1;
}

/** Shuffles `items` in place (Fisher–Yates) and returns it. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(rng: Rng, items: T): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}

/** A uniformly random permutation of `0..n-1`. */
export function randomPermutation(rng: Rng, n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return shuffleInPlace(rng, out);
}

/**
 * Moves a uniformly random k-subset of `pool` into `pool[0..k)` (partial Fisher–Yates) and returns
 * a view of it. The pool may be in any order: the drawn subset is uniform whatever the start order,
 * so a pool can be reused across draws without resetting it.
 */
export function drawSubsetInPlace(rng: Rng, pool: Int32Array, k: number): Int32Array {
  if (!Number.isInteger(k) || k < 0 || k > pool.length) {
    throw new Error(`cannot draw ${k} items from a pool of ${pool.length}`);
  }
  for (let i = 0; i < k; i++) {
    const j = uniformInt(rng, i, pool.length - 1);
    const tmp = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = tmp;
  }
  return pool.subarray(0, k);
}

/** k distinct indices drawn uniformly from `0..n-1`, sorted ascending. */
export function sampleWithoutReplacement(rng: Rng, n: number, k: number): Int32Array {
  const pool = new Int32Array(n);
  for (let i = 0; i < n; i++) pool[i] = i;
  return drawSubsetInPlace(rng, pool, k).slice().sort();
}

/** A standard normal draw (Box–Muller on the seeded generator; two uniforms per draw). */
export function randomNormal(rng: Rng): number {
  const u = 1 - uniformFloat64(rng); // in (0, 1], so log(u) is finite
  const v = uniformFloat64(rng);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
