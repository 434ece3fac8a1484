/**
 * Distributed alignment search at one site: a k-dimensional subspace — k orthonormal rows B [k, W] —
 * learned so that interchanging it with the partner member's value at the last position,
 * x ↦ x + (s − x)·Bᵀ·B, moves each training member to its partner's first answer token. Adam runs
 * on an unconstrained U [k, W] and B = Gram–Schmidt(U) in every step, so B is orthonormal by
 * construction. The model's weights are read, never changed.
 */
import type { ForwardInput, GPT } from '@memgen/model';
import * as tf from '@tensorflow/tfjs';
import { firstTokens } from '../../patching/runs.js';
import type { LearnConfig } from './config.js';
import { lastTokenLoss } from './gradient.js';

/** Rows to move by interchange: base inputs, the partner's activations, the answers to reach. */
export interface InterchangeRows {
  input: ForwardInput;
  /** [rows, W] row-major: each row's partner activation at the site's last position. */
  sources: Float32Array;
  targets: number[];
}

export interface SubspaceProblem {
  hook: string;
  /** Both directions' rows (mem members toward gen, gen members toward mem). */
  moves: InterchangeRows[];
  /** [k, W] row-major starting rows (any lengths; only the span they orthonormalise to matters). */
  init: Float32Array;
}

/** The rows of u [k, W] made orthonormal, in order (differentiable Gram–Schmidt). */
function orthonormalRows(u: tf.Tensor2D): tf.Tensor2D {
  const [k, W] = u.shape;
  const rows: tf.Tensor1D[] = [];
  for (let a = 0; a < k; a++) {
    let v = u.slice([a, 0], [1, W]).reshape([W]) as tf.Tensor1D;
    for (const r of rows) v = tf.sub(v, tf.mul(tf.sum(tf.mul(v, r)), r));
    rows.push(tf.div(v, tf.norm(v)));
  }
  return tf.concat(rows.map((r) => r.reshape([1, W]))) as tf.Tensor2D;
}

/**
 * The rows of `m` [k, W] made orthonormal in float64 (what is stored and steered with).
 * @throws Error when a row lies in the span of the earlier ones
 */
export function orthonormalise(m: Float32Array, width: number): Float32Array {
  const k = m.length / width;
  const rows: Float64Array[] = [];
  for (let a = 0; a < k; a++) {
    const v = Float64Array.from(m.subarray(a * width, (a + 1) * width));
    for (const r of rows) {
      const dot = v.reduce((s, x, j) => s + x * r[j]!, 0);
      for (let j = 0; j < width; j++) v[j]! -= dot * r[j]!;
    }
    const len = Math.hypot(...v);
    if (!(len > 1e-9)) throw new Error(`subspace row ${a} lies in the span of the rows before it`);
    rows.push(v.map((x) => x / len));
  }
  return Float32Array.from(rows.flatMap((r) => [...r]));
}

/** A hook replacing the last position's x [B, W] by x + (sources − x)·Bᵀ·B, differentiably. */
export function interchangeHook(basis: tf.Tensor2D, sources: tf.Tensor2D) {
  return (x: tf.Tensor): tf.Tensor => {
    const [B, T, W] = x.shape as [number, number, number];
    const last = x.slice([0, T - 1, 0], [B, 1, W]).reshape([B, W]) as tf.Tensor2D;
    const gap = tf.matMul(tf.sub(sources, last), basis, false, true); // [B, k]
    const moved = tf.add(last, tf.matMul(gap, basis)).reshape([B, 1, W]);
    return T === 1 ? moved : tf.concat([x.slice([0, 0, 0], [B, T - 1, W]), moved], 1);
  };
}

/** Runs `fn` with the interchange of `basis` [k, W] and `sources` [rows, W] at `hook`, always detached after. */
export function withInterchange<T>(
  model: GPT,
  hook: string,
  basis: tf.Tensor2D,
  sources: tf.Tensor2D,
  fn: () => T,
): T {
  const handle = model.hooks.add(hook, interchangeHook(basis, sources));
  try {
    return fn();
  } finally {
    handle.remove();
  }
}

/** The rows' first answer tokens with `basis` [k·W] interchanged toward `sources` at `hook`. */
export function interchangeTokens(
  model: GPT,
  hook: string,
  basis: Float32Array,
  rows: InterchangeRows,
): number[] {
  const W = model.hooks.point(hook).width;
  const b = tf.tensor2d(basis, [basis.length / W, W]);
  const s = tf.tensor2d(rows.sources, [rows.sources.length / W, W]);
  try {
    return withInterchange(model, hook, b, s, () => firstTokens(model, rows.input));
  } finally {
    b.dispose();
    s.dispose();
  }
}

/**
 * Learns the subspace of `p` in `steps` Adam steps.
 * @returns [k, W] row-major orthonormal rows
 * @throws Error when the loss stops being finite
 */
export function learnSubspace(model: GPT, p: SubspaceProblem, cfg: LearnConfig, steps: number): Float32Array {
  const W = model.hooks.point(p.hook).width;
  const u = tf.variable(tf.tensor2d(p.init, [p.init.length / W, W]), true);
  const sources = p.moves.map((m) => tf.tensor2d(m.sources, [m.sources.length / W, W]));
  const opt = tf.train.adam(cfg.rate);
  try {
    for (let step = 0; step < steps; step++) {
      const cost = opt.minimize(
        () => {
          const basis = orthonormalRows(u);
          const losses = p.moves.map((m, i) =>
            withInterchange(model, p.hook, basis, sources[i]!, () =>
              lastTokenLoss(model, m.input, m.targets),
            ),
          );
          return tf.div(tf.addN(losses), losses.length) as tf.Scalar;
        },
        true,
        [u],
      );
      const value = cost!.dataSync()[0]!;
      cost!.dispose();
      if (!Number.isFinite(value))
        throw new Error(`subspace learning at '${p.hook}': the loss is ${value} at step ${step}`);
    }
    return orthonormalise(u.dataSync() as Float32Array, W);
  } finally {
    u.dispose();
    for (const s of sources) s.dispose();
    opt.dispose();
  }
}
