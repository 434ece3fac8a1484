/**
 * Positions each row of a pass chooses from its own tokens — for edits that act on a token span
 * inside each prompt (attention edits' keys, span positions of interventions). Rows are left-padded;
 * a row's prompt is its real tokens, and a chosen position p is column pad + p of the pass.
 */
import * as tf from '@tensorflow/tfjs';

/** A row's chosen positions, as positions of its prompt (0 = its first real token). */
export type KeySelector = (prompt: readonly number[]) => readonly number[];

/** The tokens of one pass as edits see them: [B, T] ids and the [B, S] real-key mask. */
export interface PassRows {
  tokens: tf.Tensor2D;
  keyMask: tf.Tensor2D;
}

/** Whether a pass has no cached keys: a plain forward pass, or the prompt's pass of decoding. */
export const isPromptPass = (pass: PassRows) => pass.keyMask.shape[1] === pass.tokens.shape[1];

/** Padding positions at the start of row b; @throws Error when the row's real tokens are not its last ones */
function leftPadding(keyMask: Float32Array, b: number, T: number, what: string): number {
  let pad = 0;
  while (pad < T && keyMask[b * T + pad] === 0) pad++;
  for (let t = pad; t < T; t++)
    if (keyMask[b * T + t] !== 1)
      throw new Error(`${what}: row ${b} is not left-padded (position ${t} is padding)`);
  return pad;
}

/**
 * Every row's chosen columns of a prompt pass, in the order `select` gave them.
 * @param what names the edit in errors
 * @throws Error naming the row when a position is outside its prompt or listed twice
 */
export function rowColumns(select: KeySelector, pass: PassRows, what: string): number[][] {
  const [B, T] = pass.tokens.shape;
  const tokens = pass.tokens.dataSync() as Int32Array;
  const keyMask = pass.keyMask.dataSync() as Float32Array;
  return Array.from({ length: B }, (_, b) => {
    const pad = leftPadding(keyMask, b, T, what);
    const prompt = Array.from(tokens.subarray(b * T + pad, (b + 1) * T));
    const keys = select(prompt);
    if (new Set(keys).size !== keys.length) throw new Error(`${what}: row ${b} lists a key twice`);
    return keys.map((p) => {
      if (!Number.isInteger(p) || p < 0 || p >= prompt.length)
        throw new Error(`${what}: row ${b}'s key ${p} is outside its ${prompt.length}-token prompt`);
      return pad + p;
    });
  });
}

/**
 * [B, T, 1] float32: 1 at each row's chosen columns of a prompt pass, 0 elsewhere.
 * @throws Error as {@link rowColumns}
 */
export function spanMask(select: KeySelector, pass: PassRows, what: string): tf.Tensor3D {
  const [B, T] = pass.tokens.shape;
  const mask = new Float32Array(B * T);
  rowColumns(select, pass, what).forEach((cols, b) => {
    for (const c of cols) mask[b * T + c] = 1;
  });
  return tf.tensor3d(mask, [B, T, 1]);
}
