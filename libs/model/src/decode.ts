/**
 * Deterministic decoding: batched greedy and beam search, with or without the KV cache.
 * Hooks and interventions attached to the model apply to every forward pass made here.
 */
import { beam } from './beam.js';
import type { GPT } from './gpt.js';
import { Stepper } from './stepper.js';

export interface DecodeOptions {
  maxNewTokens: number;
  /** Generation of a row ends after it emits one of these (the stop token is kept in its output). */
  stopTokens: number[];
  padId: number;
  /** 1 = greedy (default). */
  beamWidth?: number;
  /** Default true; false recomputes the whole sequence every step (for checks). */
  useCache?: boolean;
  /** Also return each step's last-position logits (greedy only). */
  returnLogits?: boolean;
}

export interface DecodeResult {
  /** Per prompt, the generated token ids (stop token included when reached). */
  tokens: number[][];
  /** Greedy with returnLogits: per prompt, per generated token, the logits [V] that chose it. */
  logits?: Float32Array[][];
}

export function decode(model: GPT, prompts: number[][], opts: DecodeOptions): DecodeResult {
  const width = opts.beamWidth ?? 1;
  if (!Number.isInteger(width) || width < 1)
    throw new Error(`beamWidth must be a positive integer, got ${width}`);
  if (prompts.length === 0) return { tokens: [] };
  const promptLen = Math.max(...prompts.map((p) => p.length));
  if (promptLen + opts.maxNewTokens > model.config.nCtx) {
    throw new Error(
      `prompt (${promptLen}) + maxNewTokens (${opts.maxNewTokens}) exceeds the context of ${model.config.nCtx}`,
    );
  }
  return width === 1 ? greedy(model, prompts, opts) : beam(model, prompts, opts, width);
}

/** Index of the largest value; the lowest index wins ties (as beam search's stable ranking does). */
export function argmax(v: Float32Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if ((v[i] as number) > (v[best] as number)) best = i;
  return best;
}

function greedy(model: GPT, prompts: number[][], opts: DecodeOptions): DecodeResult {
  const stepper = new Stepper(model, prompts, opts.padId, opts.useCache ?? true);
  const stops = new Set(opts.stopTokens);
  const tokens: number[][] = prompts.map(() => []);
  const logits: Float32Array[][] = prompts.map(() => []);
  const done = prompts.map(() => false);
  try {
    let next: number[] | undefined;
    for (let s = 0; s < opts.maxNewTokens && done.includes(false); s++) {
      const rows = stepper.step(next);
      next = rows.map((row, r) => {
        if (done[r]) return opts.padId;
        const t = argmax(row);
        tokens[r]?.push(t);
        if (opts.returnLogits) logits[r]?.push(row);
        if (stops.has(t)) done[r] = true;
        return t;
      });
    }
  } finally {
    stepper.dispose();
  }
  return opts.returnLogits ? { tokens, logits } : { tokens };
}
