import { ADAMW_DEFAULTS, AdamW, GPT, makeTrainBatch, resolveGPTConfig, trainStep } from '@memgen/model';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';

// The tiny model's shape (D 128, L 4, H 4, V 128) at a unit-test size: T 32 and 8 rows instead of
// T 64 × 32 rows, so 20 wasm steps take seconds rather than 15 s.
const STEPS = 20;

async function lossTrajectory(backend: 'wasm' | 'native'): Promise<number[]> {
  await initBackend({ backend, log: false });
  const cfg = resolveGPTConfig({ preset: 'tiny', vocabSize: 128, nCtx: 32 });
  const model = GPT.init(cfg, 0);
  const opt = new AdamW(model.params, ADAMW_DEFAULTS);
  const seqs = Array.from({ length: 8 }, (_, r) =>
    Array.from({ length: 33 }, (_, j) => 2 + ((r * 7919 + j * 104729) % 126)),
  );
  const batch = makeTrainBatch(seqs, 0);
  const losses: number[] = [];
  for (let i = 0; i < STEPS; i++) losses.push(trainStep(model, opt, batch, 1e-3).loss);
  opt.dispose();
  model.dispose();
  return losses;
}

describe('training on the native backend', () => {
  it('follows the wasm backend loss trajectory to 1e-4 relative over 20 AdamW steps', async () => {
    const wasm = await lossTrajectory('wasm');
    const native = await lossTrajectory('native');
    expect(tf.getBackend()).toBe('native');
    // The run must actually learn, or matching trajectories would prove little.
    expect(native[STEPS - 1]!).toBeLessThan(native[0]! * 0.8);
    const worst = Math.max(...native.map((l, i) => Math.abs(l - wasm[i]!) / Math.abs(wasm[i]!)));
    expect(worst).toBeLessThanOrEqual(1e-4); // measured: 8e-7
  });
});
