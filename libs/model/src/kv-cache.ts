/**
 * Keys and values of every block for the positions already processed, so each decoding step runs the
 * model on one new position instead of the whole sequence.
 */
import * as tf from '@tensorflow/tfjs';

export class KVCache {
  private keys: (tf.Tensor4D | undefined)[];
  private values: (tf.Tensor4D | undefined)[];

  constructor(nLayer: number) {
    this.keys = new Array(nLayer).fill(undefined);
    this.values = new Array(nLayer).fill(undefined);
  }

  /** Positions cached so far (0 before the first forward pass). */
  get length(): number {
    return this.keys[0]?.shape[2] ?? 0;
  }

  /**
   * Appends this step's keys/values for block `layer` and returns the full ones.
   * Called inside the forward pass's tidy scope: the stored tensors are kept, the old ones disposed.
   * @param k [B, H, T, dh]  @param v [B, H, T, dh]
   * @returns [k, v] each [B, H, S, dh] with S = previous length + T
   */
  append(layer: number, k: tf.Tensor4D, v: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
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
    for (const t of [...this.keys, ...this.values]) t?.dispose();
    this.keys.fill(undefined);
    this.values.fill(undefined);
  }
}
