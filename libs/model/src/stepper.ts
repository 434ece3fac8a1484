/** Incremental forward passes over a batch of left-padded prompts plus what has been generated. */
import { withThreadsForGemm } from '@memgen/tensor';
import * as tf from '@tensorflow/tfjs';
import { disposeInput, leftPad, toForwardInput } from './batch.js';
import type { ForwardInput, GPT } from './gpt.js';
import { KVCache } from './kv-cache.js';

/** positions × D × 4D: the multiply-adds of a forward pass's MLP up-projection, its largest GEMM. */
function passWork(model: GPT, positions: number): number {
  const D = model.config.nEmbd;
  return positions * D * 4 * D;
}

/**
 * Runs the model over rows that share a left-padded prompt and a growing generated suffix, and returns
 * the last position's logits. With the cache, only the new column is computed after the first call.
 */
export class Stepper {
  private readonly cache?: KVCache;
  private prompt;
  private generated: number[][];

  constructor(
    private readonly model: GPT,
    prompts: number[][],
    padId: number,
    useCache: boolean,
  ) {
    this.prompt = leftPad(prompts, padId);
    this.generated = prompts.map(() => []);
    if (useCache) this.cache = new KVCache(model.config.nLayer, model.config.nHead, model.config.nCtx);
  }

  /** Appends one token per row (none on the first call) and returns logits [rows, V] on the host. */
  step(next?: number[]): Float32Array[] {
    if (next) {
      next.forEach((t, r) => {
        this.generated[r]?.push(t);
      });
    }
    const b = this.prompt;
    const steps = this.generated[0]?.length ?? 0;
    const input = this.cache && steps > 0 ? this.lastColumn(steps) : this.fullSequence(steps);
    if (this.cache) input.cache = this.cache;
    try {
      const pass = () =>
        tf.tidy(() => {
          const out = this.model.forward(input);
          const [B, T, V] = out.shape;
          return out.slice([0, T - 1, 0], [B, 1, V]).reshape([B, V]);
        });
      const positions = input.tokens.shape[0] * input.tokens.shape[1];
      const logits = withThreadsForGemm(passWork(this.model, positions), pass);
      const host = logits.dataSync() as Float32Array;
      const V = logits.shape[1] as number;
      logits.dispose();
      return Array.from({ length: b.rows }, (_, r) => host.slice(r * V, (r + 1) * V));
    } finally {
      disposeInput(input);
    }
  }

  /** Keeps rows `rows`, in that order (beam search). */
  reorder(rows: number[]): void {
    const pick = <T>(arr: ArrayLike<T>, L: number, make: (n: number) => T[] | Int32Array | Float32Array) => {
      const out = make(rows.length * L) as T[];
      rows.forEach((r, i) => {
        for (let j = 0; j < L; j++) out[i * L + j] = arr[r * L + j] as T;
      });
      return out;
    };
    const L = this.prompt.length;
    this.prompt = {
      rows: rows.length,
      length: L,
      tokens: pick(this.prompt.tokens, L, (n) => new Int32Array(n)) as unknown as Int32Array,
      positions: pick(this.prompt.positions, L, (n) => new Int32Array(n)) as unknown as Int32Array,
      mask: pick(this.prompt.mask, L, (n) => new Float32Array(n)) as unknown as Float32Array,
    };
    this.generated = rows.map((r) => [...(this.generated[r] ?? [])]);
    this.cache?.reorder(rows);
  }

  dispose(): void {
    this.cache?.dispose();
  }

  private promptRealLength(r: number): number {
    let n = 0;
    const L = this.prompt.length;
    for (let j = 0; j < L; j++) n += this.prompt.mask[r * L + j] as number;
    return n;
  }

  private fullSequence(steps: number) {
    const b = this.prompt;
    const T = b.length + steps;
    const tokens = new Int32Array(b.rows * T);
    const positions = new Int32Array(b.rows * T);
    const mask = new Float32Array(b.rows * T);
    for (let r = 0; r < b.rows; r++) {
      const real = this.promptRealLength(r);
      for (let j = 0; j < b.length; j++) {
        tokens[r * T + j] = b.tokens[r * b.length + j] as number;
        positions[r * T + j] = b.positions[r * b.length + j] as number;
        mask[r * T + j] = b.mask[r * b.length + j] as number;
      }
      for (let s = 0; s < steps; s++) {
        tokens[r * T + b.length + s] = this.generated[r]?.[s] as number;
        positions[r * T + b.length + s] = real + s;
        mask[r * T + b.length + s] = 1;
      }
    }
    return toForwardInput({ rows: b.rows, length: T, tokens, positions, mask });
  }

  private lastColumn(steps: number) {
    const b = this.prompt;
    const S = b.length + steps;
    const keyMask = new Float32Array(b.rows * S);
    const tokens = new Int32Array(b.rows);
    const positions = new Int32Array(b.rows);
    for (let r = 0; r < b.rows; r++) {
      for (let j = 0; j < b.length; j++) keyMask[r * S + j] = b.mask[r * b.length + j] as number;
      for (let s = 0; s < steps; s++) keyMask[r * S + b.length + s] = 1;
      tokens[r] = this.generated[r]?.[steps - 1] as number;
      positions[r] = this.promptRealLength(r) + steps - 1;
    }
    return {
      tokens: tf.tensor2d(tokens, [b.rows, 1], 'int32'),
      positions: tf.tensor2d(positions, [b.rows, 1], 'int32'),
      keyMask: tf.tensor2d(keyMask, [b.rows, S], 'float32'),
    } as ForwardInput;
  }
}
