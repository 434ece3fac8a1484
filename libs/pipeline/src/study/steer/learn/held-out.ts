/**
 * Per-item reliability of a learned direction on the pairs it was not learned on (pairs.jsonl after
 * the training split; the steering set has no partners): does the consistency of a pair's own
 * activation difference with the learned vector — cos(partner − member, vector) at the site —
 * predict whether adding the vector moves the member to its partner's answer?
 */

import { rocAuc } from '@memgen/analysis';
import { type GPT, withInterventions } from '@memgen/model';
import { firstTokens } from '../../patching/runs.js';
import type { Placement } from './placement.js';
import { lastRows } from './site-rows.js';
import type { MemberRows, TrainingSplit } from './split.js';

export interface HeldOutPrediction {
  /** Members the vector was added to (pairs whose members answer differently). */
  members: number;
  /** Members moved to their partner's answer, and moved to neither. */
  switched: number;
  other: number;
  /** AUC of the cosine for switching (0.5 = no prediction); null when all or none switched. */
  auc: number | null;
  /** Switch rate in the lower, middle and upper third of members by cosine. */
  byThird: [number, number, number];
}

function cosines(own: Float32Array, partner: Float32Array, v: Float32Array, n: number): number[] {
  const w = v.length;
  const vn = Math.hypot(...v);
  return Array.from({ length: n }, (_, i) => {
    let dot = 0;
    let len = 0;
    for (let j = 0; j < w; j++) {
      const d = partner[i * w + j]! - own[i * w + j]!;
      dot += d * v[j]!;
      len += d * d;
    }
    return len > 0 && vn > 0 ? dot / (Math.sqrt(len) * vn) : 0;
  });
}

function thirds(cos: number[], moved: boolean[]): [number, number, number] {
  const order = cos.map((c, i) => [c, i] as const).sort((a, b) => a[0] - b[0]);
  const part = (k: number) => {
    const slice = order.slice(Math.floor((k * order.length) / 3), Math.floor(((k + 1) * order.length) / 3));
    return slice.length === 0 ? 0 : slice.filter(([, i]) => moved[i]).length / slice.length;
  };
  return [part(0), part(1), part(2)];
}

/** The prediction for one direction: `rows` moved by `vector`, `partners` the other members' rows. */
export function predictMoves(
  model: GPT,
  hook: string,
  position: Placement,
  rows: MemberRows,
  partners: MemberRows,
  vector: Float32Array,
): HeldOutPrediction {
  const n = rows.own.length;
  const cos = cosines(lastRows(model, rows.input, hook), lastRows(model, partners.input, hook), vector, n);
  const tokens = withInterventions(model, [{ kind: 'add', hook, vector, position }], () =>
    firstTokens(model, rows.input),
  );
  const moved = tokens.map((t, k) => t === rows.partner[k]);
  const other = tokens.filter((t, k) => t !== rows.partner[k] && t !== rows.own[k]).length;
  return {
    members: n,
    switched: moved.filter(Boolean).length,
    other,
    auc: rocAuc(cos, moved),
    byThird: thirds(cos, moved),
  };
}

/** Both directions on the held-out split. */
export function heldOutPredictions(
  model: GPT,
  hook: string,
  position: Placement,
  heldOut: TrainingSplit,
  vectors: { toGen: Float32Array; toMem: Float32Array },
) {
  return {
    memToGen: predictMoves(model, hook, position, heldOut.mem, heldOut.gen, vectors.toGen),
    genToMem: predictMoves(model, hook, position, heldOut.gen, heldOut.mem, vectors.toMem),
  };
}
