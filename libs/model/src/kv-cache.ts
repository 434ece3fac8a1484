/**
 * Keys and values of every block for the positions already processed, so each decoding step runs the
 * model on one new position instead of the whole sequence. On the native engine they live in host
 * buffers extended in place (NativeKVStore); elsewhere as tensors concatenated at each step.
 */
import { attend, NativeKVStore, splitHeads } from '@memgen/tensor';
import * as tf from '@tensorflow/tfjs';

export class KVCache {
  private keys: (tf.Tensor4D | undefined)[];
  private values: (tf.Tensor4D | undefined)[];
  /** Chosen at the first attention call (an empty cache), kept for the cache's life. */
  private store: NativeKVStore | undefined;

  constructor(
    private readonly nLayer: number,
    private readonly nHead: number,
    /** The model's context: no more positions are ever cached. */
    private readonly nCtx: number,
  ) {
    this.keys = new Array(nLayer).fill(undefined);
    this.values = new Array(nLayer).fill(undefined);
  }

  /** Positions cached so far (0 before the first forward pass). */
  get length(): number {
    return this.store ? this.store.length : (this.keys[0]?.shape[2] ?? 0);
  }

  /**
   * Caches the T new positions of block `layer` and attends their queries to every cached key.
   * Called inside the forward pass's tidy scope.
   * @param qkv [B·T, 3D]; keyMask [B, S] with S = cached + T; bias the additive mask [B, 1, T, S]
   * @returns z [B·T, D], heads merged
   */
  attention(layer: number, qkv: tf.Tensor2D, keyMask: tf.Tensor2D, bias: () => tf.Tensor4D): tf.Tensor2D {
    if (this.length === 0 && layer === 0 && !this.store && NativeKVStore.available()) {
      this.store = new NativeKVStore(this.nLayer, this.nHead, qkv.shape[1] / 3, this.nCtx);
    }
    if (this.store) return this.store.attend(layer, qkv, keyMask);
    const [B, S] = keyMask.shape;
    const T = qkv.shape[0] / B;
    const [q, kNew, vNew] = splitHeads(qkv, B, T, this.nHead) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const [k, v] = this.append(layer, kNew, vNew);
    if (k.shape[2] !== S)
      throw new Error(`KV cache: block ${layer} holds ${k.shape[2]} positions, the mask ${S}`);
    return attend(q, k, v, bias());
  }

  /**
   * Appends this step's keys/values for block `layer` and returns the full ones.
   * @param k [B, H, T, dh]  @param v [B, H, T, dh]
   * @returns [k, v] each [B, H, S, dh] with S = previous length + T
   */
  private append(layer: number, k: tf.Tensor4D, v: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
    const oldK = this.keys[layer];
    const oldV = this.values[layer];
    const fullK = tf.keep(oldK ? tf.concat([oldK, k], 2) : k.clone());
    const fullV = tf.keep(oldV ? tf.concat([oldV, v], 2) : v.clone());
    oldK?.dispose();
    oldV?.dispose();
    this.keys[layer] = fullK;
    this.values[layer] = fullV;
    return [fullK, fullV];
  }

  /** Keeps rows `rows` (in that order, repeats allowed): beam search re-parents its hypotheses. */
  reorder(rows: number[]): void {
    if (this.store) {
      this.store.reorder(rows);
      return;
    }
    const index = tf.tensor1d(rows, 'int32');
    for (let i = 0; i < this.keys.length; i++) {
      const k = this.keys[i];
      const v = this.values[i];
      if (k) this.keys[i] = tf.keep(tf.gather(k, index));
      if (v) this.values[i] = tf.keep(tf.gather(v, index));
      k?.dispose();
      v?.dispose();
    }
    index.dispose();
  }

  dispose(): void {
    this.store?.dispose();
    for (const t of [...this.keys, ...this.values]) t?.dispose();
    this.keys.fill(undefined);
    this.values.fill(undefined);
  }
}
