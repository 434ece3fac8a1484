/** A checkpoint whose weights hold a NaN or an infinity is refused on load, naming the tensor. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostTensor, readSafetensors, useTestBackend, writeSafetensors } from '@memgen/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { nanoModel } from './test-models.js';

let root: string;

beforeAll(async () => {
  await useTestBackend();
  root = await mkdtemp(join(tmpdir(), 'memgen-ckpt-finite-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A saved nano checkpoint with `value` written into one element of `tensor`. */
async function damaged(tensor: string, value: number): Promise<string> {
  const dir = join(root, `${tensor}-${value}`);
  const model = nanoModel(3);
  await saveCheckpoint(dir, model);
  model.dispose();
  const path = join(dir, 'model.safetensors');
  const { tensors, metadata } = await readSafetensors(path);
  const t = tensors[tensor]!;
  const data = Float32Array.from(t.data as Float32Array);
  data[5] = value;
  tensors[tensor] = new HostTensor('float32', t.shape, data);
  await writeSafetensors(path, tensors, metadata);
  return dir;
}

describe('checkpoint weights', () => {
  it('refuses a NaN or an infinity, naming the file, the tensor and where', async () => {
    for (const [tensor, value] of [
      ['transformer.h.0.attn.c_attn.weight', Number.NaN],
      ['transformer.wte.weight', Number.POSITIVE_INFINITY],
      ['transformer.ln_f.bias', Number.NEGATIVE_INFINITY],
    ] as const) {
      const dir = await damaged(tensor, value);
      await expect(loadCheckpoint(dir)).rejects.toThrow(
        `checkpoint ${join(dir, 'model.safetensors')}: tensor '${tensor}' holds ${value} at index 5`,
      );
    }
  });
});
