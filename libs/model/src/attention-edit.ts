/**
 * Attention-logit edits: an additive term on one block's attention logits, from the last query of a
 * pass over whole prompts to keys each row chooses from its own tokens — attention boosted (logit
 * > 0: the chosen keys' weights × e^logit before the softmax renormalises) or suppressed
 * (logit < 0) for chosen heads.
 *
 * Rows are identified by their tokens, not by their place in the batch, so the edit survives left
 * padding, budget grouping and beam replication. It acts on passes with no cached keys only — a
 * plain forward pass, or the prompt's pass of KV-cached decoding — i.e. on the first answer
 * token's decision, like the 'prompt' hook position; later decoding steps are left as they are.
 */
import * as tf from '@tensorflow/tfjs';
import { type KeySelector, type PassRows, rowColumns } from './row-keys.js';

export interface AttentionEdit {
  block: number;
  /** Heads of the block whose logits change. */
  heads: readonly number[];
  /** Added to the logit of each chosen key (natural-log units: 0 changes nothing). */
  logit: number;
  keys: KeySelector;
}

/** The edits attached to each block, added and removed by scoped handles (./interventions.ts). */
export class AttentionEdits {
  private readonly byBlock = new Map<number, AttentionEdit[]>();

  constructor(
    private readonly nLayer: number,
    private readonly nHead: number,
  ) {}

  /** @throws Error naming the block or head outside the model */
  add(edit: AttentionEdit): { remove(): void } {
    const where = `attention edit on block ${edit.block}`;
    if (!Number.isInteger(edit.block) || edit.block < 0 || edit.block >= this.nLayer)
      throw new Error(`${where}: the model has blocks 0…${this.nLayer - 1}`);
    if (edit.heads.length === 0) throw new Error(`${where}: no heads`);
    for (const h of edit.heads)
      if (!Number.isInteger(h) || h < 0 || h >= this.nHead)
        throw new Error(`${where}: head ${h} outside [0, ${this.nHead})`);
    if (new Set(edit.heads).size !== edit.heads.length) throw new Error(`${where}: a head is listed twice`);
    if (!Number.isFinite(edit.logit)) throw new Error(`${where}: logit must be finite, got ${edit.logit}`);
    const list = this.byBlock.get(edit.block) ?? [];
    list.push(edit);
    this.byBlock.set(edit.block, list);
    let removed = false;
    return {
      remove: () => {
        if (removed) return;
        removed = true;
        const current = this.byBlock.get(edit.block) ?? [];
        current.splice(current.indexOf(edit), 1);
        if (current.length === 0) this.byBlock.delete(edit.block);
      },
    };
  }

  /** The edits of `block` (none → empty). */
  at(block: number): readonly AttentionEdit[] {
    return this.byBlock.get(block) ?? [];
  }

  /** Number of edits attached (0 after every scoped use). */
  get size(): number {
    let n = 0;
    for (const list of this.byBlock.values()) n += list.length;
    return n;
  }
}

/**
 * The additive logits of `edits` for a pass over whole prompts, or null when every logit is 0 (so
 * an identity edit leaves the computation as it was, bit for bit). Each row's keys are asked of its
 * selector even then, so a selector that fails does so at the identity too.
 * @returns [B, H, T, T], the chosen heads' last query row set at the chosen keys
 * @throws Error naming the row and position when a selector returns a position outside its prompt
 */
export function editLogitsTensor(
  edits: readonly AttentionEdit[],
  pass: PassRows,
  H: number,
): tf.Tensor4D | null {
  const [B, T] = pass.tokens.shape;
  const out = new Float32Array(B * H * T * T);
  let any = false;
  for (const edit of edits) {
    const columns = rowColumns(edit.keys, pass, `attention edit on block ${edit.block}`);
    if (edit.logit === 0) continue;
    columns.forEach((cols, b) => {
      for (const col of cols) {
        any = true;
        for (const h of edit.heads) {
          const at = ((b * H + h) * T + (T - 1)) * T + col;
          out[at] = (out[at] ?? 0) + edit.logit;
        }
      }
    });
  }
  return any ? tf.tensor4d(out, [B, H, T, T]) : null;
}
