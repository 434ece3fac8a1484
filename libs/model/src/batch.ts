/**
 * Left-padded batches. Left padding puts every row's last real token at the same index (T−1), so
 * "the last position" means one column for the whole batch — prompts, decoding and interventions
 * all rely on that.
 */
import * as tf from '@tensorflow/tfjs';
import type { ForwardInput } from './gpt.js';

export interface HostBatch {
  rows: number;
  length: number;
  /** [rows·length] token ids, pads on the left. */
  tokens: Int32Array;
  /** [rows·length] position ids: 0 at each row's first real token, 0 on pads. */
  positions: Int32Array;
  /** [rows·length] 1 for real tokens, 0 for pads. */
  mask: Float32Array;
}

/**
 * @param seqs token id sequences (each non-empty)
 * @param length pad/check to this length (default: the longest sequence)
 * @throws Error when a sequence is empty or longer than `length`
 */
export function leftPad(seqs: number[][], padId: number, length?: number): HostBatch {
  const T = length ?? Math.max(0, ...seqs.map((s) => s.length));
  const rows = seqs.length;
  const tokens = new Int32Array(rows * T).fill(padId);
  const positions = new Int32Array(rows * T);
  const mask = new Float32Array(rows * T);
  seqs.forEach((seq, r) => {
    if (seq.length === 0) throw new Error(`sequence ${r} is empty`);
    if (seq.length > T) throw new Error(`sequence ${r} has ${seq.length} tokens, longer than ${T}`);
    const start = r * T + (T - seq.length);
    for (let j = 0; j < seq.length; j++) {
      tokens[start + j] = seq[j] as number;
      positions[start + j] = j;
      mask[start + j] = 1;
    }
  });
  return { rows, length: T, tokens, positions, mask };
}

/** Uploads a host batch as the model's forward input (the caller disposes the tensors). */
export function toForwardInput(b: HostBatch): ForwardInput {
  return {
    tokens: tf.tensor2d(b.tokens, [b.rows, b.length], 'int32'),
    positions: tf.tensor2d(b.positions, [b.rows, b.length], 'int32'),
    keyMask: tf.tensor2d(b.mask, [b.rows, b.length], 'float32'),
  };
}

export function disposeInput(input: ForwardInput): void {
  input.tokens.dispose();
  input.positions.dispose();
  input.keyMask.dispose();
}
