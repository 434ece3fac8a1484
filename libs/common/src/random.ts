/**
 * The one home of randomness: every seeded draw in memgen comes from a {@link Stream}, built on
 * pure-rand's xoroshiro128+ (a well-studied 128-bit generator), never Math.random.
 *
 * A stream is named by a purpose: the same (seed, purpose) always gives the same numbers, and two
 * purposes give unrelated streams, because the 128-bit start state is SHA-256 of both. Purposes are
 * paths ('consistency/split-1/fraction-0'); {@link Stream.derive} appends a segment, so a caller that
 * needs several independent streams names them instead of adding offsets to the seed — offsets
 * collide as soon as two of them sum to the same number.
 *
 * The whole state is four 32-bit integers: {@link Stream.snapshot} returns it and
 * {@link streamFromState} restores it (the trainer keeps it in a checkpoint to resume a data stream
 * exactly where it stopped).
 */
import { createHash } from 'node:crypto';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

/** The serialisable state of a {@link Stream}: enough to continue the exact same sequence. */
export interface StreamState {
  readonly algorithm: 'xoroshiro128plus';
  readonly state: readonly [number, number, number, number];
}

/** Where a stream came from; null once restored from a snapshot, which keeps only the state. */
interface Origin {
  readonly seed: number;
  readonly purpose: string;
}

/** A mutable numeric array (plain array or typed array) that can be shuffled in place. */
type Indexed = { length: number; [i: number]: number };

/** A mutable random stream: every draw advances it. */
export class Stream {
  readonly #gen: JumpableRandomGenerator;
  readonly #origin: Origin | null;

  /** Use {@link stream} or {@link streamFromState}; this wraps an already-seeded generator. */
  constructor(gen: JumpableRandomGenerator, origin: Origin | null = null) {
    this.#gen = gen;
    this.#origin = origin;
  }

  /** The purpose path this stream was made for; null for a stream restored from a snapshot. */
  get purpose(): string | null {
    return this.#origin?.purpose ?? null;
  }

  /**
   * The stream of purpose `<this purpose>/<name>` for the same seed: `stream(7, 'a').derive('b')` is
   * `stream(7, 'a/b')`. It depends on the seed and the names only, not on how far this stream has
   * been drawn, so deriving twice gives the same numbers.
   * @throws Error for a stream restored from a snapshot (it no longer knows its seed and purpose)
   */
  derive(name: string): Stream {
    if (!this.#origin)
      throw new Error(`Stream.derive('${name}'): a restored stream has no purpose to extend`);
    return stream(this.#origin.seed, `${this.#origin.purpose}/${name}`);
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) {
      throw new Error(`Stream.int: expected integers min <= max, got ${min}, ${max}`);
    }
    return uniformInt(this.#gen, min, max);
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  float(): number {
    return uniformFloat64(this.#gen);
  }

  /** A fair coin: true with probability 1/2. */
  bit(): boolean {
    return uniformInt(this.#gen, 0, 1) === 1;
  }

  /** A standard normal draw (Box–Muller; two uniforms per draw). */
  normal(): number {
    const u = 1 - this.float(); // in (0, 1], so log(u) is finite
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Stream.pick: cannot pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  /** A shuffled copy (Fisher–Yates); the input is left alone. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) swap(out, i, uniformInt(this.#gen, 0, i));
    return out;
  }

  /** Shuffles numbers in place (Fisher–Yates) and returns them: no copy for large typed arrays. */
  shuffleInPlace<A extends Indexed>(items: A): A {
    for (let i = items.length - 1; i > 0; i--) swap(items, i, uniformInt(this.#gen, 0, i));
    return items;
  }

  /** A uniformly random permutation of `0..n-1`. */
  permutation(n: number): Int32Array {
    return this.shuffleInPlace(identity(n));
  }

  /** `k` distinct elements (distinct positions) in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    if (!Number.isInteger(k) || k < 0 || k > items.length) {
      throw new Error(`Stream.sample: cannot draw ${k} distinct items from ${items.length}`);
    }
    const pool = items.slice();
    for (let i = 0; i < k; i++) swap(pool, i, uniformInt(this.#gen, i, pool.length - 1));
    return pool.slice(0, k);
  }

  /**
   * Moves a uniformly random k-subset of `pool` into `pool[0..k)` (partial Fisher–Yates) and returns
   * a view of it. The drawn subset is uniform whatever order the pool is in, so one pool serves many
   * draws without being reset.
   */
  subsetInPlace(pool: Int32Array, k: number): Int32Array {
    if (!Number.isInteger(k) || k < 0 || k > pool.length) {
      throw new Error(`Stream.subsetInPlace: cannot draw ${k} items from a pool of ${pool.length}`);
    }
    for (let i = 0; i < k; i++) swap(pool, i, uniformInt(this.#gen, i, pool.length - 1));
    return pool.subarray(0, k);
  }

  /** `k` distinct indices drawn uniformly from `0..n-1`, sorted ascending. */
  sampleIndices(n: number, k: number): Int32Array {
    return this.subsetInPlace(identity(n), k).slice().sort();
  }

  /** An index drawn with probability proportional to `weights[i]` (non-negative, positive sum). */
  weightedIndex(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) {
      if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`Stream.weightedIndex: bad weight ${w}`);
      total += w;
    }
    if (total <= 0) throw new Error('Stream.weightedIndex: the weights sum to 0');
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

  /** The state now; {@link streamFromState} continues from exactly here. */
  snapshot(): StreamState {
    const s = this.#gen.getState();
    return { algorithm: 'xoroshiro128plus', state: [s[0] ?? 0, s[1] ?? 0, s[2] ?? 0, s[3] ?? 0] };
  }

  /** An independent copy at the same position (and with the same purpose). */
  clone(): Stream {
    return new Stream(this.#gen.clone(), this.#origin);
  }
}

function swap<A extends { [i: number]: unknown }>(items: A, i: number, j: number): void {
  const tmp = items[i];
  items[i] = items[j] as A[number];
  items[j] = tmp as A[number];
}

function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/**
 * The stream of (seed, purpose). The 128-bit start state is the first 16 bytes of
 * SHA-256("memgen-rng\0<seed>\0<purpose>"), read as four little-endian int32, so nearby seeds and
 * similar purposes are unrelated. Every task dataset is drawn this way: the derivation must never
 * change, or every dataset would.
 * @throws Error if `seed` is not a safe integer
 */
export function stream(seed: number, purpose: string): Stream {
  if (!Number.isSafeInteger(seed)) throw new Error(`stream: seed must be a safe integer, got ${seed}`);
  const digest = createHash('sha256').update(`memgen-rng\0${seed}\0${purpose}`).digest();
  const state = [digest.readInt32LE(0), digest.readInt32LE(4), digest.readInt32LE(8), digest.readInt32LE(12)];
  // xoroshiro's one forbidden state is all zeros; SHA-256 giving it is not a practical concern,
  // but the guard costs nothing.
  if (!state.some((x) => x !== 0)) state[0] = 1;
  return new Stream(xoroshiro128plusFromState(state), { seed, purpose });
}

/**
 * Restores a stream saved with {@link Stream.snapshot}. The restored stream draws exactly as the
 * saved one would have, but cannot {@link Stream.derive}: the snapshot holds no purpose.
 * @throws Error naming what is wrong with `saved`
 */
export function streamFromState(saved: StreamState): Stream {
  if (saved?.algorithm !== 'xoroshiro128plus') {
    throw new Error(`streamFromState: unknown algorithm ${JSON.stringify(saved?.algorithm)}`);
  }
  const s = saved.state;
  if (
    !Array.isArray(s) ||
    s.length !== 4 ||
    !s.every((x) => Number.isInteger(x) && x >= -(2 ** 31) && x < 2 ** 31)
  ) {
    throw new Error(`streamFromState: state must be four int32 values, got ${JSON.stringify(s)}`);
  }
  if (s.every((x) => x === 0))
    throw new Error('streamFromState: the all-zero state is invalid for xoroshiro128+');
  return new Stream(xoroshiro128plusFromState(s));
}
