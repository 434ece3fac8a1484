/**
 * Hook points: every activation the model exposes has a stable name, and code outside the model
 * reads or changes it only through a scoped handle that is always removed (TransformerLens style).
 *
 * Name grammar (activations are [batch, positions, width] as the hook sees them):
 *   embed                      token + position embedding = the residual stream entering block 0  [B,T,D]
 *   blocks.{i}.attn.z          attention heads' mixed values, heads concatenated, before c_proj  [B,T,H·dh]
 *   blocks.{i}.attn.out        attention output after c_proj                                    [B,T,D]
 *   blocks.{i}.resid_mid       residual stream after the attention sub-block                    [B,T,D]
 *   blocks.{i}.mlp.pre         MLP pre-activation (after c_fc)                                  [B,T,nInner]
 *   blocks.{i}.mlp.post        MLP post-activation neurons (after GELU)                         [B,T,nInner]
 *   blocks.{i}.mlp.out         MLP output after c_proj                                          [B,T,D]
 *   blocks.{i}.resid_post      residual stream leaving block i                                  [B,T,D]
 *   final_norm                 the final layer norm's output, before the tied unembedding       [B,T,D]
 *
 * The registry below is the one place that knows each point's width and what its coordinates are;
 * interventions and recording look them up instead of parsing names.
 */
import type * as tf from '@tensorflow/tfjs';
import type { GPTConfig } from './config.js';
import type { PassRows } from './row-keys.js';

/** What a hook point's coordinates are. */
export type HookKind =
  /** The residual stream (embed, resid_mid, resid_post): nEmbd coordinates. */
  | 'residual'
  /** Per-head attention values, [nHead, headDim] flattened head-major. */
  | 'attention-heads'
  /** A sub-block's write into the residual stream (attn.out, mlp.out): nEmbd coordinates. */
  | 'sublayer-out'
  /** MLP pre-activations, one per neuron. */
  | 'mlp-pre'
  /** MLP neurons after the non-linearity. */
  | 'mlp-neurons'
  /** The final layer norm's output, the unembedding's input. */
  | 'final-norm';

export interface HookPoint {
  name: string;
  kind: HookKind;
  /** The block the point belongs to; null for embed and final_norm. */
  layer: number | null;
  /** Coordinates per position (the activation's last dimension). */
  width: number;
  /** How `width` factors: [nHead, headDim] for attention heads (head h = coordinates h·headDim …), else [width]. */
  layout: readonly number[];
}

/** The widths a config gives the hook points. */
export type HookShape = Pick<GPTConfig, 'nLayer' | 'nEmbd' | 'nHead' | 'nInner'>;

/** The hook points every block has, by the suffix after `blocks.{i}.`. */
export const BLOCK_HOOK_SUFFIXES = [
  'attn.z',
  'attn.out',
  'resid_mid',
  'mlp.pre',
  'mlp.post',
  'mlp.out',
  'resid_post',
] as const;
export type BlockHookSuffix = (typeof BLOCK_HOOK_SUFFIXES)[number];

/** The one place a block's hook name is spelled: `blocks.{block}.{suffix}`. */
export function blockHook(block: number, suffix: BlockHookSuffix): string {
  return `blocks.${block}.${suffix}`;
}

type BlockHook = { suffix: BlockHookSuffix; kind: HookKind; layout: (c: HookShape) => number[] };

const residualLayout = (c: HookShape) => [c.nEmbd];
const neuronLayout = (c: HookShape) => [c.nInner];

const BLOCK_HOOKS: readonly BlockHook[] = [
  { suffix: 'attn.z', kind: 'attention-heads', layout: (c) => [c.nHead, c.nEmbd / c.nHead] },
  { suffix: 'attn.out', kind: 'sublayer-out', layout: residualLayout },
  { suffix: 'resid_mid', kind: 'residual', layout: residualLayout },
  { suffix: 'mlp.pre', kind: 'mlp-pre', layout: neuronLayout },
  { suffix: 'mlp.post', kind: 'mlp-neurons', layout: neuronLayout },
  { suffix: 'mlp.out', kind: 'sublayer-out', layout: residualLayout },
  { suffix: 'resid_post', kind: 'residual', layout: residualLayout },
];

function point(name: string, kind: HookKind, layer: number | null, layout: number[]): HookPoint {
  return { name, kind, layer, width: layout.reduce((p, n) => p * n, 1), layout };
}

/** Every hook point of a model of this shape, in the order a forward pass reaches them. */
export function hookPoints(c: HookShape): HookPoint[] {
  const points = [point('embed', 'residual', null, residualLayout(c))];
  for (let i = 0; i < c.nLayer; i++) {
    for (const h of BLOCK_HOOKS) points.push(point(blockHook(i, h.suffix), h.kind, i, h.layout(c)));
  }
  points.push(point('final_norm', 'final-norm', null, residualLayout(c)));
  return points;
}

/** Every hook name of a model with `nLayer` blocks, in the order a forward pass reaches them. */
export function hookNames(nLayer: number): string[] {
  return hookPoints({ nLayer, nEmbd: 1, nHead: 1, nInner: 1 }).map((p) => p.name);
}

/** The residual-stream sites the study records: `embed` then every block's output ([layers+1] sites). */
export function residualSites(nLayer: number): string[] {
  return ['embed', ...Array.from({ length: nLayer }, (_, i) => blockHook(i, 'resid_post'))];
}

/**
 * The flat coordinates of whole heads of an attention-heads point (head h covers h·headDim …).
 * @throws Error naming the point when it has no heads or a head is out of range
 */
export function headCoordinates(p: HookPoint, heads: readonly number[]): number[] {
  if (p.kind !== 'attention-heads') throw new Error(`hook point '${p.name}' (${p.kind}) has no heads`);
  const [nHead, headDim] = p.layout as [number, number];
  return heads.flatMap((h) => {
    if (!Number.isInteger(h) || h < 0 || h >= nHead)
      throw new Error(`hook point '${p.name}': head ${h} outside [0, ${nHead})`);
    return Array.from({ length: headDim }, (_, k) => h * headDim + k);
  });
}

/**
 * A hook sees the activation and may return a replacement of the same shape; `pass` gives the
 * pass's token rows (./row-keys.ts), for edits that choose positions per row. It runs inside the
 * forward pass's tidy scope: tensors it wants to keep must be `tf.keep`-ed.
 */
export type HookFn = (activation: tf.Tensor, pass: PassRows) => tf.Tensor | undefined;

export interface HookHandle {
  remove(): void;
}

export class HookRegistry {
  private readonly points: ReadonlyMap<string, HookPoint>;
  private readonly hooks = new Map<string, HookFn[]>();

  constructor(shape: HookShape) {
    this.points = new Map(hookPoints(shape).map((p) => [p.name, p]));
  }

  /** Every hook point of this model, in forward order. */
  list(): HookPoint[] {
    return [...this.points.values()];
  }

  /** @throws Error when `name` is not one of this model's hook points. */
  point(name: string): HookPoint {
    const p = this.points.get(name);
    if (!p)
      throw new Error(`unknown hook point '${name}'; this model has: ${[...this.points.keys()].join(', ')}`);
    return p;
  }

  /** @throws Error when `name` is not one of this model's hook points. */
  add(name: string, fn: HookFn): HookHandle {
    this.point(name);
    const list = this.hooks.get(name) ?? [];
    list.push(fn);
    this.hooks.set(name, list);
    let removed = false;
    return {
      remove: () => {
        if (removed) return;
        removed = true;
        const current = this.hooks.get(name) ?? [];
        const at = current.indexOf(fn);
        if (at >= 0) current.splice(at, 1);
        if (current.length === 0) this.hooks.delete(name);
      },
    };
  }

  /** Number of hooks currently attached (0 after every scoped use). */
  get size(): number {
    let n = 0;
    for (const list of this.hooks.values()) n += list.length;
    return n;
  }

  /** Whether any hook is attached at `name` (the forward pass skips the reshapes when none is). */
  has(name: string): boolean {
    return this.hooks.has(name);
  }

  /** Runs the hooks of `name` in the order they were added; no hooks → the activation unchanged. */
  run(name: string, activation: tf.Tensor, pass: PassRows): tf.Tensor {
    const list = this.hooks.get(name);
    if (!list) return activation;
    let act = activation;
    for (const fn of list) act = fn(act, pass) ?? act;
    return act;
  }
}
