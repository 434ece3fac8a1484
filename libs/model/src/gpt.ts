/**
 * A GPT-2-style decoder: learned (or rotary) positions, pre-LayerNorm blocks with causal multi-head attention and
 * a GELU MLP, final LayerNorm, unembedding tied to the token embedding. Read top to bottom.
 */
import {
  attend,
  attentionBias,
  causalSelfAttention,
  gelu,
  layerNorm,
  linear,
  splitHeads,
} from '@memgen/tensor';
import * as tf from '@tensorflow/tfjs';
import { AttentionEdits, editLogitsTensor } from './attention-edit.js';
import { type GPTConfig, isRotary } from './config.js';
import { blockHook, HookRegistry } from './hooks.js';
import type { KVCache } from './kv-cache.js';
import { createParams, disposeParams, initialWeights, type ParamMap } from './params.js';
import { type RotaryAngles, rotaryAngles, rotateQueriesKeys } from './rotary.js';
import { isPromptPass, type PassRows } from './row-keys.js';

export interface ForwardInput {
  /** [B, T] int32 token ids (left-padded). */
  tokens: tf.Tensor2D;
  /** [B, T] int32 position ids (0 at each row's first real token). */
  positions: tf.Tensor2D;
  /**
   * [B, S] float32: 1 for real tokens, 0 for padding, over every key the queries may see —
   * the cached ones first, then these T. S = cache length + T.
   */
  keyMask: tf.Tensor2D;
  /** When given, keys/values of these T positions are appended to it (the caller owns it). */
  cache?: KVCache;
}

/** What every block of one forward pass shares; hooks and edits see its rows. */
interface Pass extends PassRows {
  B: number;
  T: number;
  /** [B, 1, T, S] additive attention bias, built on first use (the fused kernel takes keyMask). */
  bias: () => tf.Tensor4D;
  /** Rotary models: the pass's rotation angles, built on first use. */
  rotary: (() => RotaryAngles) | undefined;
  cache?: KVCache | undefined;
}

export class GPT {
  readonly hooks: HookRegistry;
  /** Edits of attention logits (./attention-edit.ts), attached like hooks by withInterventions. */
  readonly attentionEdits: AttentionEdits;

  constructor(
    readonly config: GPTConfig,
    readonly params: ParamMap,
  ) {
    this.hooks = new HookRegistry(config);
    this.attentionEdits = new AttentionEdits(config.nLayer, config.nHead);
  }

  /** A freshly initialised model (GPT-2 initialisation from `seed`). */
  static init(config: GPTConfig, seed: number): GPT {
    return new GPT(config, createParams(config, initialWeights(config, seed)));
  }

  dispose(): void {
    disposeParams(this.params);
  }

  private p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`model has no parameter '${name}'`);
    return v;
  }

  /**
   * @returns logits [B, T, V]
   */
  forward(input: ForwardInput): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, T] = input.tokens.shape;
      const V = this.config.vocabSize;
      const wte = this.p('transformer.wte.weight');
      const tok = tf.gather(wte, input.tokens.reshape([B * T]));
      const rotary = isRotary(this.config);
      const embedded: tf.Tensor2D = rotary
        ? (tok as tf.Tensor2D)
        : tf.add(tok, tf.gather(this.p('transformer.wpe.weight'), input.positions.reshape([B * T])));
      let bias: tf.Tensor4D | undefined;
      let angles: RotaryAngles | undefined;
      const pass: Pass = {
        B,
        T,
        tokens: input.tokens,
        keyMask: input.keyMask,
        bias: () => {
          bias ??= attentionBias(input.keyMask, T);
          return bias;
        },
        rotary: rotary
          ? () => {
              angles ??= rotaryAngles(input.positions, this.config.nEmbd / this.config.nHead);
              return angles;
            }
          : undefined,
        cache: input.cache,
      };
      let x = this.hook('embed', embedded, pass);
      for (let i = 0; i < this.config.nLayer; i++) x = this.block(i, x, pass);
      const xf = this.hook('final_norm', this.norm('transformer.ln_f', x), pass);
      const logits = tf.matMul(xf, wte, false, true);
      return logits.reshape([B, T, V]) as tf.Tensor3D;
    });
  }

  /** x: [B·T, D] → [B·T, D] */
  private block(i: number, x: tf.Tensor2D, pass: Pass): tf.Tensor2D {
    const p = `transformer.h.${i}`;
    const attnOut = this.hook(
      blockHook(i, 'attn.out'),
      this.attention(i, this.norm(`${p}.ln_1`, x), pass),
      pass,
    );
    const mid = this.hook(blockHook(i, 'resid_mid'), tf.add(x, attnOut), pass);
    const h = this.norm(`${p}.ln_2`, mid);
    const pre = this.hook(blockHook(i, 'mlp.pre'), this.linear(`${p}.mlp.c_fc`, h), pass);
    const post = this.hook(blockHook(i, 'mlp.post'), gelu(pre), pass);
    const mlpOut = this.hook(blockHook(i, 'mlp.out'), this.linear(`${p}.mlp.c_proj`, post), pass);
    return this.hook(blockHook(i, 'resid_post'), tf.add(mid, mlpOut), pass);
  }

  /** Causal multi-head self-attention. x: [B·T, D] → [B·T, D] */
  private attention(i: number, x: tf.Tensor2D, pass: Pass): tf.Tensor2D {
    const { keyMask, bias, cache } = pass;
    const H = this.config.nHead;
    const projected = this.linear(`transformer.h.${i}.attn.c_attn`, x);
    const qkv = pass.rotary ? rotateQueriesKeys(projected, pass.rotary(), H) : projected;
    // The cache is filled first either way: an edit changes this block's mixing, not its keys/values.
    const cached = cache?.attention(i, qkv, keyMask, bias);
    const z = this.editedAttention(i, qkv, pass) ?? cached ?? causalSelfAttention(qkv, keyMask, H, bias);
    return this.linear(`transformer.h.${i}.attn.c_proj`, this.hook(blockHook(i, 'attn.z'), z, pass));
  }

  /**
   * Block i's attention with its logit edits, on a pass with no cached keys; null when it has none
   * (or they change nothing). Runs the composite path: the fused kernel takes no extra logits.
   * @returns z [B·T, D] or null
   */
  private editedAttention(i: number, qkv: tf.Tensor2D, pass: Pass) {
    const { B, T, bias } = pass;
    const edits = this.attentionEdits.at(i);
    if (edits.length === 0 || !isPromptPass(pass)) return null;
    const H = this.config.nHead;
    const extra = editLogitsTensor(edits, pass, H);
    if (!extra) return null;
    const [q, k, v] = splitHeads(qkv, B, T, H) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    return attend(q, k, v, tf.add(bias(), extra) as tf.Tensor4D);
  }

  /** x: [N, in] → [N, out] (GPT-2 Conv1D layout: weight [in, out]). */
  private linear(prefix: string, x: tf.Tensor2D): tf.Tensor2D {
    return linear(x, this.p(`${prefix}.weight`) as tf.Tensor2D, this.p(`${prefix}.bias`) as tf.Tensor1D);
  }

  private norm(prefix: string, x: tf.Tensor2D): tf.Tensor2D {
    return layerNorm(
      x,
      this.p(`${prefix}.weight`) as tf.Tensor1D,
      this.p(`${prefix}.bias`) as tf.Tensor1D,
      this.config.layerNormEpsilon,
    ) as tf.Tensor2D;
  }

  /** Shows a [B·T, W] activation to its hooks as [B, T, W], with the pass's rows. */
  private hook(name: string, act: tf.Tensor2D, pass: Pass): tf.Tensor2D {
    if (!this.hooks.has(name)) return act;
    const { B, T } = pass;
    const width = act.shape[1];
    const out = this.hooks.run(name, act.reshape([B, T, width]), pass);
    if (out.shape.length !== 3 || out.shape[0] !== B || out.shape[1] !== T || out.shape[2] !== width) {
      throw new Error(`hook '${name}' returned shape [${out.shape}], expected [${B},${T},${width}]`);
    }
    return out.reshape([B * T, width]) as tf.Tensor2D;
  }
}
