/**
 * Decoding's keys and values on the native engine: host buffers per block, keys [batch, heads,
 * head width, capacity] (transposed, so one query's scores run along contiguous keys) and values
 * [batch, heads, capacity, head width], that one addon call per block and step extends in place
 * and attends over, instead of concatenating the whole cache into new tensors at every step.
 */
import * as tf from '@tensorflow/tfjs';
import { NativeBackend } from './backend.js';
import { FUSED_KERNELS, hasFusedKernel } from './fused-ops.js';

export class NativeKVStore {
  private keys: Float32Array[] = [];
  private values: Float32Array[] = [];
  private lengths: number[];
  private capacity = 0;
  private batch = 0;

  /** Whether the active backend can hold a store (the native engine with its attention kernel). */
  static available(): boolean {
    return tf.backend() instanceof NativeBackend && hasFusedKernel(FUSED_KERNELS.attention);
  }

  /**
   * @param maxLength the most positions it will hold (the model's context): the buffers grow by
   *   doubling up to it, so a prompt of half the context or more is followed by no reallocation.
   */
  constructor(
    private readonly layers: number,
    private readonly heads: number,
    private readonly width: number,
    private readonly maxLength: number,
  ) {
    this.lengths = new Array(layers).fill(0);
  }

  /** Positions cached so far. */
  get length(): number {
    return this.lengths[0] ?? 0;
  }

  /**
   * Appends the T new positions of block `layer` and attends their queries to every cached key.
   * @param qkv [B·T, 3D] the block's packed projection of the new positions
   * @param keyMask [B, S] 1 for real keys, S = cached + T
   * @returns z [B·T, D], heads merged
   */
  attend(layer: number, qkv: tf.Tensor2D, keyMask: tf.Tensor2D): tf.Tensor2D {
    const backend = tf.backend() as NativeBackend;
    const [B, S] = keyMask.shape;
    const T = qkv.shape[0] / B;
    const offset = S - T;
    if (offset !== this.lengths[layer]) {
      throw new Error(
        `KV cache: block ${layer} holds ${this.lengths[layer]} positions, the mask says ${offset}`,
      );
    }
    if (this.length === 0 && layer === 0) this.batch = B;
    if (B !== this.batch) throw new Error(`KV cache: ${B} rows, the cache holds ${this.batch}`);
    if (S > this.maxLength)
      throw new Error(`KV cache: ${S} positions, the most it holds is ${this.maxLength}`);
    if (S > this.capacity) this.grow(Math.min(this.maxLength, Math.max(2 * S, 2 * this.capacity)));
    const qkvValues = backend.f32(qkv.dataId);
    const maskValues = backend.f32(keyMask.dataId);
    if (!qkvValues || !maskValues) throw new Error('KV cache: qkv and keyMask must be float32');
    const z = backend.allocF32(B * T * this.width);
    backend.addon.cachedAttention(
      z,
      this.keys[layer]!,
      this.values[layer]!,
      qkvValues,
      maskValues,
      B,
      T,
      this.heads,
      offset,
      this.capacity,
    );
    this.lengths[layer] = S;
    return tf.tensor2d(z, [B * T, this.width]);
  }

  /** Keeps rows `rows` (in that order, repeats allowed), as beam search re-parents hypotheses. */
  reorder(rows: number[]): void {
    const block = this.heads * this.capacity * (this.width / this.heads);
    const pick = (buffer: Float32Array) => {
      const out = new Float32Array(rows.length * block);
      for (const [i, r] of rows.entries()) out.set(buffer.subarray(r * block, (r + 1) * block), i * block);
      return out;
    };
    this.keys = this.keys.map(pick);
    this.values = this.values.map(pick);
    this.batch = rows.length;
  }

  /** Reallocates every buffer to hold `capacity` positions, keeping what is cached. */
  private grow(capacity: number): void {
    const dh = this.width / this.heads;
    const rows = this.batch * this.heads;
    // A row holds `stride` values per position slot: keys are [dh, capacity] per head (one row of
    // capacity per head coordinate), values [capacity, dh].
    const move = (old: Float32Array | undefined, count: number, stride: number) => {
      const out = new Float32Array(count * capacity * stride);
      if (old)
        for (let r = 0; r < count; r++)
          out.set(
            old.subarray(r * this.capacity * stride, (r + 1) * this.capacity * stride),
            r * capacity * stride,
          );
      return out;
    };
    this.keys = Array.from({ length: this.layers }, (_, l) => move(this.keys[l], rows * dh, 1));
    this.values = Array.from({ length: this.layers }, (_, l) => move(this.values[l], rows, dh));
    this.capacity = capacity;
  }

  dispose(): void {
    this.keys = [];
    this.values = [];
    this.lengths.fill(0);
  }
}
