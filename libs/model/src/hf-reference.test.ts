import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useTestBackend } from '@memgen/tensor';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveCheckpoint } from './checkpoint.js';
import { nanoModel } from './test-models.js';

const script = fileURLToPath(new URL('../testdata/gpt2_numpy_reference.py', import.meta.url));
const numpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
if (!numpy) console.warn('SKIPPED hf-reference.test.ts: python3 with numpy is not available on this machine');

beforeAll(async () => {
  await useTestBackend();
});

describe.skipIf(!numpy)('checkpoint against an independent numpy GPT-2 (Hugging Face semantics)', () => {
  it('gives the same logits (≤ 1e-4) from the saved checkpoint', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'memgen-hf-')), 'checkpoint');
    const model = nanoModel(21);
    await saveCheckpoint(dir, model);
    const ids = [3, 17, 5, 22, 9, 2, 11];
    const ours = tf.tidy(() =>
      model
        .forward({
          tokens: tf.tensor2d([ids], [1, ids.length], 'int32'),
          positions: tf.tensor2d([ids.map((_, i) => i)], [1, ids.length], 'int32'),
          keyMask: tf.ones([1, ids.length]) as tf.Tensor2D,
        })
        .arraySync(),
    ) as number[][][];
    const ref = JSON.parse(
      execFileSync('python3', [script, dir, ...ids.map(String)], { encoding: 'utf8' }),
    ) as number[][];
    let maxDiff = 0;
    ref.forEach((row, t) => {
      row.forEach((v, j) => {
        maxDiff = Math.max(maxDiff, Math.abs(v - (ours[0]?.[t]?.[j] as number)));
      });
    });
    expect(maxDiff).toBeLessThan(1e-4);
    model.dispose();
  });
});
