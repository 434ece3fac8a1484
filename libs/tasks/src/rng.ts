/**
 * Seeded random streams for every generator in this library.
 *
 * Built on pure-rand's xoroshiro128+ (a well-studied 128-bit generator). A stream is named: the same
 * (seed, stream name) always gives the same numbers, and different names give independent streams,
 * so adding a new consumer never shifts the numbers an existing one sees. The whole state is four
 * 32-bit integers, which is what `snapshot()` returns and `rngFromState()` restores — the trainer
 * stores it in a checkpoint to resume a data stream exactly where it stopped.
 */
import { createHash } from 'node:crypto';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

/** The serialisable state of an {@link Rng}: enough to continue the exact same sequence. */
export interface RngState {
  readonly algorithm: 'xoroshiro128plus';
  readonly state: readonly [number, number, number, number];
}

/** A mutable random stream with the draws the task generators need. */
export class Rng {
  readonly #gen: JumpableRandomGenerator;

  /** Use {@link makeRng} or {@link rngFromState}; this wraps an already-seeded generator. */
  constructor(gen: JumpableRandomGenerator) {
    this.#gen = gen;
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) {
      throw new Error(`Rng.int: expected integers min <= max, got ${min}, ${max}`);
    }
    return uniformInt(this.#gen, min, max);
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  float(): number {
    return uniformFloat64(this.#gen);
  }

  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick: cannot pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  /** A shuffled copy (Fisher–Yates); the input is left alone. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    return out;
  }

  /** `k` distinct elements (distinct positions) in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    if (!Number.isInteger(k) || k < 0 || k > items.length) {
      throw new Error(`Rng.sample: cannot draw ${k} distinct items from ${items.length}`);
    }
    // Partial Fisher–Yates: only the first k swaps are needed.
    const pool = items.slice();
    for (let i = 0; i < k; i++) {
      const j = this.int(i, pool.length - 1);
      const tmp = pool[i] as T;
      pool[i] = pool[j] as T;
      pool[j] = tmp;
    }
    return pool.slice(0, k);
  }

  /** An index drawn with probability proportional to `weights[i]` (non-negative, positive sum). */
  weightedIndex(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) {
      if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`Rng.weightedIndex: bad weight ${w}`);
      total += w;
    }
    if (total <= 0) throw new Error('Rng.weightedIndex: the weights sum to 0');
    let x = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i] as number;
      if (x < w) return i;
      x -= w;
    }
    // Rounding can leave x just above the last bucket: return the last positive weight.
    for (let i = weights.length - 1; i >= 0; i--) if ((weights[i] as number) > 0) return i;
    throw new Error('unreachable: a positive total has a positive weight');
  }

  /** The state now; {@link rngFromState} continues from exactly here. */
  snapshot(): RngState {
    const s = this.#gen.getState();
    return { algorithm: 'xoroshiro128plus', state: [s[0] ?? 0, s[1] ?? 0, s[2] ?? 0, s[3] ?? 0] };
  }

  /** An independent copy at the same position. */
  clone(): Rng {
    return new Rng(this.#gen.clone());
  }
}

/**
 * A deterministic stream for (seed, streamName).
 * The 128-bit start state is SHA-256 of both, so nearby seeds and similar names are unrelated.
 */
export function makeRng(seed: number, streamName: string): Rng {
  if (!Number.isSafeInteger(seed)) throw new Error(`makeRng: seed must be a safe integer, got ${seed}`);
  const digest = createHash('sha256').update(`memgen-rng\0${seed}\0${streamName}`).digest();
  const state = [digest.readInt32LE(0), digest.readInt32LE(4), digest.readInt32LE(8), digest.readInt32LE(12)];
  // xoroshiro's one forbidden state is all zeros; SHA-256 giving it is not a practical concern,
  // but the guard costs nothing.
  if (!state.some((x) => x !== 0)) state[0] = 1;
  return new Rng(xoroshiro128plusFromState(state));
}

/** Restores a stream saved with {@link Rng.snapshot}. */
export function rngFromState(saved: RngState): Rng {
  if (saved?.algorithm !== 'xoroshiro128plus') {
    throw new Error(`rngFromState: unknown algorithm ${JSON.stringify(saved?.algorithm)}`);
  }
  const s = saved.state;
  if (
    !Array.isArray(s) ||
    s.length !== 4 ||
    !s.every((x) => Number.isInteger(x) && x >= -(2 ** 31) && x < 2 ** 31)
  ) {
    throw new Error(`rngFromState: state must be four int32 values, got ${JSON.stringify(s)}`);
  }
  if (s.every((x) => x === 0))
    throw new Error('rngFromState: the all-zero state is invalid for xoroshiro128+');
  return new Rng(xoroshiro128plusFromState(s));
}
