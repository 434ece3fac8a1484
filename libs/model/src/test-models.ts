/** Small models and batches shared by the model's tests. */
import { disposeInput, leftPad, toForwardInput } from './batch.js';
import { type GPTConfig, resolveGPTConfig } from './config.js';
import { GPT } from './gpt.js';

export function nanoConfig(overrides: Partial<GPTConfig> = {}): GPTConfig {
  return resolveGPTConfig({ preset: 'nano', vocabSize: 23, nCtx: 24, ...overrides });
}

export function nanoModel(seed = 0, overrides: Partial<GPTConfig> = {}): GPT {
  return GPT.init(nanoConfig(overrides), seed);
}

/** Deterministic prompts of different lengths over ids 2..V-1 (0 = pad, 1 = eos). */
export function prompts(count: number, vocab: number, minLen = 3, maxLen = 9): number[][] {
  return Array.from({ length: count }, (_, r) => {
    const len = minLen + ((r * 5) % (maxLen - minLen + 1));
    return Array.from({ length: len }, (_, j) => 2 + ((r * 7 + j * 3 + j * j) % (vocab - 2)));
  });
}

/** Logits [B, T, V] of left-padded `seqs`, flattened. */
export function logitsOf(model: GPT, seqs: number[][]): Float32Array {
  const input = toForwardInput(leftPad(seqs, 0));
  try {
    const out = model.forward(input);
    const data = Float32Array.from(out.dataSync() as Float32Array);
    out.dispose();
    return data;
  } finally {
    disposeInput(input);
  }
}
