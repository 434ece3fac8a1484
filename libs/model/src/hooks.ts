/**
 * Hook points: every activation the model exposes has a stable name, and code outside the model
 * reads or changes it only through a scoped handle that is always removed (TransformerLens style).
 *
 * Name grammar (activations are [batch, positions, width] as the hook sees them):
 *   embed                      token + position embedding = the residual stream entering block 0  [B,T,D]
 *   blocks.{i}.attn.z          attention heads' mixed values, heads concatenated, before c_proj  [B,T,D]
 *   blocks.{i}.attn.out        attention output after c_proj                                    [B,T,D]
 *   blocks.{i}.resid_mid       residual stream after the attention sub-block                    [B,T,D]
 *   blocks.{i}.mlp.pre         MLP pre-activation (after c_fc)                                  [B,T,nInner]
 *   blocks.{i}.mlp.post        MLP post-activation neurons (after GELU)                         [B,T,nInner]
 *   blocks.{i}.mlp.out         MLP output after c_proj                                          [B,T,D]
 *   blocks.{i}.resid_post      residual stream leaving block i                                  [B,T,D]
 *   final_norm                 the final layer norm's output, before the tied unembedding       [B,T,D]
 */
import type * as tf from '@tensorflow/tfjs';

const BLOCK_HOOKS = [
  'attn.z',
  'attn.out',
  'resid_mid',
  'mlp.pre',
  'mlp.post',
  'mlp.out',
  'resid_post',
] as const;

/** Every hook name of a model with `nLayer` blocks, in the order a forward pass reaches them. */
export function hookNames(nLayer: number): string[] {
  const names = ['embed'];
  for (let i = 0; i < nLayer; i++) for (const h of BLOCK_HOOKS) names.push(`blocks.${i}.${h}`);
  names.push('final_norm');
  return names;
}

/** The residual-stream sites the study records: `embed` then every block's output ([layers+1] sites). */
export function residualSites(nLayer: number): string[] {
  return ['embed', ...Array.from({ length: nLayer }, (_, i) => `blocks.${i}.resid_post`)];
}

/**
 * A hook sees the activation and may return a replacement of the same shape.
 * It runs inside the forward pass's tidy scope: tensors it wants to keep must be `tf.keep`-ed.
 */
export type HookFn = (activation: tf.Tensor) => tf.Tensor | undefined;

export interface HookHandle {
  remove(): void;
}

export class HookRegistry {
  private readonly valid: Set<string>;
  private readonly hooks = new Map<string, HookFn[]>();

  constructor(nLayer: number) {
    this.valid = new Set(hookNames(nLayer));
  }

  /** @throws Error when `name` is not one of this model's hook points. */
  add(name: string, fn: HookFn): HookHandle {
    if (!this.valid.has(name)) {
      throw new Error(`unknown hook point '${name}'; this model has: ${[...this.valid].join(', ')}`);
    }
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

  /** Runs the hooks of `name` in the order they were added; no hooks → the activation unchanged. */
  run(name: string, activation: tf.Tensor): tf.Tensor {
    const list = this.hooks.get(name);
    if (!list) return activation;
    let act = activation;
    for (const fn of list) act = fn(act) ?? act;
    return act;
  }
}
