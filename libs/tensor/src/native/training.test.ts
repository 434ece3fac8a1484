import { ADAMW_DEFAULTS, AdamW, GPT, makeTrainBatch, resolveGPTConfig, trainStep } from '@memgen/model';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { FUSED_KERNELS } from './fused-ops.js';
import { withoutNativeKernels } from './testing.js';

// The tiny model's shape (D 128, L 4, H 4, V 128) at a unit-test size: T 32 and 8 rows instead of
// T 64 × 32 rows, so 20 wasm steps take seconds rather than 15 s.
const STEPS = 20;

/** Losses and gradient norms of 20 steps; `ragged` left-pads rows to lengths 25–33 (masked attention). */
async function trajectory(
  backend: 'wasm' | 'native',
  ragged = false,
): Promise<{ losses: number[]; norms: number[] }> {
  await initBackend({ backend, log: false });
  const cfg = resolveGPTConfig({ preset: 'tiny', vocabSize: 128, nCtx: 32 });
  const model = GPT.init(cfg, 0);
  const opt = new AdamW(model.params, ADAMW_DEFAULTS);
  const seqs = Array.from({ length: 8 }, (_, r) =>
    Array.from({ length: ragged ? 33 - r : 33 }, (_, j) => 2 + ((r * 7919 + j * 104729) % 126)),
  );
  const batch = makeTrainBatch(seqs, 0, { length: 33 });
  const losses: number[] = [];
  const norms: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const r = trainStep(model, opt, batch, 1e-3);
    losses.push(r.loss);
    norms.push(r.gradNorm);
  }
  opt.dispose();
  model.dispose();
  return { losses, norms };
}

async function lossTrajectory(backend: 'wasm' | 'native'): Promise<number[]> {
  return (await trajectory(backend)).losses;
}

function worstRelative(a: number[], b: number[]): number {
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!) / Math.abs(b[i]!)));
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

  it('with every fused kernel follows the composite path on the same engine to 1e-4 over 20 steps', async () => {
    const fused = await trajectory('native', true);
    const composite = await withoutNativeKernels(Object.values(FUSED_KERNELS), () =>
      trajectory('native', true),
    );
    expect(fused.losses[STEPS - 1]!).toBeLessThan(fused.losses[0]! * 0.8);
    // The early steps clip (norm > 1), so the folded clip factor is exercised too.
    expect(fused.norms[0]!).toBeGreaterThan(1);
    expect(worstRelative(fused.losses, composite.losses)).toBeLessThanOrEqual(1e-4);
    expect(worstRelative(fused.norms, composite.norms)).toBeLessThanOrEqual(1e-4);
  });
});
