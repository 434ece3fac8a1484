/**
 * Scoped access to hook points: record activations, or change them, for the duration of one call.
 * Hooks are removed in `finally`, so an exception inside never leaves a hook attached.
 */
import * as tf from '@tensorflow/tfjs';
import type { GPT } from './gpt.js';
import type { HookHandle } from './hooks.js';

/** 'last' = the last position of every forward pass (the last prompt token, then each generated token). */
export type HookPosition = 'last' | 'all';

export interface Intervention {
  hook: string;
  position?: HookPosition;
  /** Adds this vector [width] to the activation. */
  add?: Float32Array;
  /** Replaces the listed coordinates by the given values. */
  set?: { indices: number[]; values: number[] };
}

/** Runs `fn` with the interventions attached, and always detaches them. */
export function withInterventions<T>(model: GPT, interventions: Intervention[], fn: () => T): T {
  const handles: HookHandle[] = [];
  const owned: tf.Tensor[] = [];
  try {
    for (const iv of interventions) {
      const width = hookWidth(model, iv.hook);
      const add = iv.add ? tf.keep(tf.tensor1d(checkWidth(iv.add, width, iv.hook))) : undefined;
      const { keep, values } = iv.set
        ? replacement(iv.set, width, iv.hook)
        : { keep: undefined, values: undefined };
      for (const t of [add, keep, values]) if (t) owned.push(t);
      handles.push(
        model.hooks.add(iv.hook, (act) =>
          atPosition(act, iv.position ?? 'last', (x) => {
            let y = x;
            if (keep && values) y = tf.add(tf.mul(y, keep), values);
            if (add) y = tf.add(y, add);
            return y;
          }),
        ),
      );
    }
    return fn();
  } finally {
    for (const h of handles) h.remove();
    for (const t of owned) t.dispose();
  }
}

export interface Recording<T> {
  value: T;
  /** Per hook name, one tensor per forward pass: [B, W] at 'last', [B, T, W] at 'all'. The caller disposes. */
  activations: Map<string, tf.Tensor[]>;
}

/** Runs `fn` recording the named activations; recording never changes the computation. */
export function recordActivations<T>(
  model: GPT,
  names: string[],
  fn: () => T,
  position: HookPosition = 'last',
): Recording<T> {
  const activations = new Map<string, tf.Tensor[]>(names.map((n) => [n, []]));
  const handles: HookHandle[] = [];
  try {
    for (const name of names) {
      handles.push(
        model.hooks.add(name, (act) => {
          const [B, T, W] = act.shape as [number, number, number];
          const kept =
            position === 'last' ? act.slice([0, T - 1, 0], [B, 1, W]).reshape([B, W]) : act.clone();
          activations.get(name)?.push(tf.keep(kept));
          return undefined;
        }),
      );
    }
    return { value: fn(), activations };
  } catch (err) {
    for (const list of activations.values()) for (const t of list) t.dispose();
    throw err;
  } finally {
    for (const h of handles) h.remove();
  }
}

function hookWidth(model: GPT, hook: string): number {
  return hook.endsWith('mlp.pre') || hook.endsWith('mlp.post') ? model.config.nInner : model.config.nEmbd;
}

function checkWidth(v: Float32Array, width: number, hook: string): Float32Array {
  if (v.length !== width)
    throw new Error(`intervention on '${hook}': vector has ${v.length} values, width is ${width}`);
  return v;
}

function replacement(set: { indices: number[]; values: number[] }, width: number, hook: string) {
  if (set.indices.length !== set.values.length) {
    throw new Error(
      `intervention on '${hook}': ${set.indices.length} indices but ${set.values.length} values`,
    );
  }
  const keep = new Float32Array(width).fill(1);
  const values = new Float32Array(width);
  set.indices.forEach((j, n) => {
    if (!Number.isInteger(j) || j < 0 || j >= width)
      throw new Error(`intervention on '${hook}': index ${j} outside [0, ${width})`);
    keep[j] = 0;
    values[j] = set.values[n] as number;
  });
  return { keep: tf.keep(tf.tensor1d(keep)), values: tf.keep(tf.tensor1d(values)) };
}

/** Applies `f` to the chosen positions of act [B, T, W]. */
function atPosition(act: tf.Tensor, position: HookPosition, f: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  if (position === 'all') return f(act);
  const [B, T, W] = act.shape as [number, number, number];
  if (T === 1) return f(act);
  const head = act.slice([0, 0, 0], [B, T - 1, W]);
  const last = act.slice([0, T - 1, 0], [B, 1, W]);
  return tf.concat([head, f(last)], 1);
}
