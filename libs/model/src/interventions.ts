/**
 * Scoped access to hook points: record activations, or change them, for the duration of one call.
 * Hooks are removed in `finally`, so an exception inside never leaves a hook attached. Widths come
 * from the model's hook registry, never from the hook's name.
 */
import * as tf from '@tensorflow/tfjs';
import type { AttentionEdit } from './attention-edit.js';
import { cellPatchHook } from './cell-patch.js';
import type { GPT } from './gpt.js';
import type { HookHandle, HookPoint } from './hooks.js';
import { atPosition, type HookPosition, type SpanPosition, selectPositions } from './positions.js';
import { subspaceEdit } from './subspace.js';

export type { HookPosition, SpanPosition };

/** Where an intervention acts: a hook point, at some positions (default 'last'). */
interface Placement {
  hook: string;
  position?: HookPosition | SpanPosition;
}

/**
 * A change to one hook point's activation, applied at every chosen position of every pass.
 * Coordinates are flat indices into the point's width (see `headCoordinates` for attention heads).
 * - add: adds `vector` [width], or `values` at `coords`;
 * - set: replaces `coords` by `values`;
 * - ablate: replaces `coords` by given per-coordinate `values` (e.g. their mean), by 0 when none;
 * - scale: multiplies `coords` by (1 + alpha) (alpha = 0 is the identity, −1 zeroes them);
 * - patch: replaces `coords` (every coordinate for 'all') of batch row b by `rows[b]` ([B, width]
 *   row-major): activation patching. The forward pass's batch must have exactly B rows in the
 *   caller's order, so it is for plain forward passes over a known batch, not for decoding (whose
 *   rows move under budget grouping, beams and the KV cache).
 * - patch-cells: replaces whole activation vectors at chosen (row, position) cells of a forward
 *   pass of exactly `batch` rows and `length` positions — `cells[n] = row · length + position`,
 *   `values` [cells, width] row-major — wherever those cells are (its `position` is ignored):
 *   patching at token spans that sit at different positions in different rows. Like 'patch', for
 *   plain forward passes over a known batch only.
 * - subspace: with `basis` [k, width] orthonormal rows (row-major), moves the activation's k
 *   coordinates in that basis a fraction `alpha` of the way to `values` (alpha = 1 sets them), the
 *   orthogonal complement untouched: a distributed-alignment-search subspace set (./subspace.ts).
 * - attend: not a hook point's activation but block `block`'s attention logits: `logit` added from
 *   the last query to the keys each row's `keys` chooses from its own prompt, for `heads`, on
 *   passes with no cached keys (./attention-edit.ts).
 */
export type Intervention =
  | (Placement & { kind: 'add'; vector: Float32Array })
  | (Placement & { kind: 'add'; coords: readonly number[]; values: readonly number[] })
  | (Placement & { kind: 'set'; coords: readonly number[]; values: readonly number[] })
  | (Placement & { kind: 'ablate'; coords: readonly number[]; values?: readonly number[] })
  | (Placement & { kind: 'scale'; coords: readonly number[]; alpha: number })
  | (Placement & { kind: 'patch'; coords: readonly number[] | 'all'; rows: Float32Array })
  | (Placement & {
      kind: 'patch-cells';
      batch: number;
      length: number;
      cells: readonly number[];
      values: Float32Array;
    })
  | (Placement & { kind: 'subspace'; basis: Float32Array; values: readonly number[]; alpha: number })
  | (AttentionEdit & { kind: 'attend' });

/**
 * An intervention as arithmetic on an activation row: x·multiplier + shift. A missing part is left
 * out of the computation (not applied as ·1 or +0), so an identity edit is bit-exact.
 */
interface RowEdit {
  /** [width] 0 at replaced coordinates, 1 + α at scaled ones, 1 elsewhere. */
  multiplier?: Float32Array;
  /** [width], or [batch, width] when `batch` is set (one row per batch row). */
  shift?: Float32Array;
  /** Rows of a per-row shift; the edited activation must have exactly this many. */
  batch?: number;
}

/**
 * Checks `iv` against the hook point and turns it into a row edit.
 * @throws Error naming the hook and the offending coordinate or length
 */
function compileIntervention(iv: Intervention, p: HookPoint): RowEdit {
  const where = `intervention ${iv.kind} on '${p.name}'`;
  switch (iv.kind) {
    case 'add':
      if ('vector' in iv) {
        if (iv.vector.length !== p.width)
          throw new Error(`${where}: vector has ${iv.vector.length} values, width is ${p.width}`);
        return { shift: iv.vector };
      }
      return { shift: scatter(where, iv.coords, iv.values, p.width) };
    case 'set':
      return {
        multiplier: multiplierMask(where, iv.coords, 0, p.width),
        shift: scatter(where, iv.coords, iv.values, p.width),
      };
    case 'ablate': {
      const values = iv.values ?? new Array<number>(iv.coords.length).fill(0);
      return {
        multiplier: multiplierMask(where, iv.coords, 0, p.width),
        shift: scatter(where, iv.coords, values, p.width),
      };
    }
    case 'scale':
      if (!Number.isFinite(iv.alpha)) throw new Error(`${where}: alpha must be finite, got ${iv.alpha}`);
      return { multiplier: multiplierMask(where, iv.coords, 1 + iv.alpha, p.width) };
    case 'patch':
      return compilePatch(where, iv.coords, iv.rows, p.width);
    case 'patch-cells':
    case 'subspace':
    case 'attend':
      throw new Error(`${where}: not a row edit`);
    default:
      return unreachable(iv, 'intervention kind');
  }
}

/** A patch as a row edit: kept coordinates ×1, patched ones ×0 plus the row's value. */
function compilePatch(
  where: string,
  coords: readonly number[] | 'all',
  rows: Float32Array,
  width: number,
): RowEdit {
  if (rows.length === 0 || rows.length % width !== 0)
    throw new Error(`${where}: rows has ${rows.length} values, not a whole number of rows of width ${width}`);
  const all = Array.from({ length: width }, (_, j) => j);
  const multiplier = multiplierMask(where, coords === 'all' ? all : coords, 0, width);
  const shift = rows.map((v, i) => (multiplier[i % width] === 0 ? v : 0));
  return { multiplier, shift, batch: rows.length / width };
}

/** Runs `fn` with the interventions attached, and always detaches them. */
export function withInterventions<T>(model: GPT, interventions: Intervention[], fn: () => T): T {
  const handles: { remove(): void }[] = [];
  const owned: tf.Tensor[] = [];
  const keepOwned = (t: tf.Tensor) => {
    owned.push(tf.keep(t));
    return t;
  };
  const own = (values: Float32Array, batch?: number) =>
    keepOwned(batch ? tf.tensor3d(values, [batch, 1, values.length / batch]) : tf.tensor1d(values));
  try {
    for (const iv of interventions) {
      if (iv.kind === 'attend') {
        handles.push(model.attentionEdits.add(iv));
        continue;
      }
      if (iv.kind === 'patch-cells') {
        handles.push(model.hooks.add(iv.hook, cellPatchHook(iv, model.hooks.point(iv.hook), keepOwned)));
        continue;
      }
      if (iv.kind === 'subspace') {
        const edit = subspaceEdit(iv, model.hooks.point(iv.hook), keepOwned);
        handles.push(
          model.hooks.add(iv.hook, (act, pass) => atPosition(act, iv.position ?? 'last', edit, pass)),
        );
        continue;
      }
      const edit = compileIntervention(iv, model.hooks.point(iv.hook));
      const multiplier = edit.multiplier ? own(edit.multiplier) : undefined;
      const shift = edit.shift ? own(edit.shift, edit.batch) : undefined;
      const apply = (x: tf.Tensor) => {
        if (edit.batch !== undefined && x.shape[0] !== edit.batch)
          throw new Error(
            `intervention patch on '${iv.hook}': the forward pass has ${x.shape[0]} rows, the patch ${edit.batch}`,
          );
        const scaled = multiplier ? tf.mul(x, multiplier) : x;
        return shift ? tf.add(scaled, shift) : scaled;
      };
      handles.push(
        model.hooks.add(iv.hook, (act, pass) => atPosition(act, iv.position ?? 'last', apply, pass)),
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
      const { width } = model.hooks.point(name);
      handles.push(
        model.hooks.add(name, (act) => {
          if (act.shape[2] !== width)
            throw new Error(`hook '${name}' saw width ${act.shape[2]}, its registry width is ${width}`);
          activations.get(name)?.push(tf.keep(selectPositions(act, position)));
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

/** [width] zeros with `values` at `coords`. */
function scatter(where: string, coords: readonly number[], values: readonly number[], width: number) {
  if (coords.length !== values.length)
    throw new Error(`${where}: ${coords.length} coordinates but ${values.length} values`);
  const out = new Float32Array(width);
  checkCoords(where, coords, width).forEach((j, n) => {
    out[j] = values[n] as number;
  });
  return out;
}

/** [width] ones with `factor` at `coords`. */
function multiplierMask(where: string, coords: readonly number[], factor: number, width: number) {
  const out = new Float32Array(width).fill(1);
  for (const j of checkCoords(where, coords, width)) out[j] = factor;
  return out;
}

function checkCoords(where: string, coords: readonly number[], width: number): readonly number[] {
  const seen = new Set<number>();
  for (const j of coords) {
    if (!Number.isInteger(j) || j < 0 || j >= width)
      throw new Error(`${where}: coordinate ${j} outside [0, ${width})`);
    if (seen.has(j)) throw new Error(`${where}: coordinate ${j} listed twice`);
    seen.add(j);
  }
  return coords;
}

function unreachable(value: never, what: string): never {
  throw new Error(`unknown ${what} ${JSON.stringify(value)}`);
}
