import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors, useTestBackend } from '@memgen/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { readWeights } from './params.js';
import { nanoModel } from './test-models.js';

beforeAll(async () => {
  await useTestBackend();
});

async function saved(): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'memgen-ckpt-')), 'checkpoint');
  const model = nanoModel(9);
  await saveCheckpoint(dir, model, {
    tokenizer: { scheme: 'word', vocab: ['<pad>', '<eos>'] },
    trainConfig: { steps: 10, lr: 1e-3 },
    metadata: { step: '10' },
    specialTokens: { pad: 0, eos: 1 },
  });
  model.dispose();
  return dir;
}

describe('checkpoints', () => {
  it('save → load is bit-exact, with Hugging Face GPT-2 names, layouts and config keys', async () => {
    const dir = await saved();
    const original = nanoModel(9);
    const loaded = await loadCheckpoint(dir);
    const a = readWeights(original.params);
    const b = readWeights(loaded.model.params);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, data] of a) expect(b.get(name), name).toEqual(data);
    expect(loaded.metadata.step).toBe('10');
    expect(loaded.metadata.format).toBe('pt');
    expect(loaded.tokenizer).toEqual({ scheme: 'word', vocab: ['<pad>', '<eos>'] });
    expect(loaded.trainConfig).toEqual({ steps: 10, lr: 1e-3 });
    const cfg = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    expect(cfg).toMatchObject({
      model_type: 'gpt2',
      n_layer: 2,
      n_head: 2,
      n_embd: 16,
      n_positions: 24,
      vocab_size: 23,
      layer_norm_epsilon: 1e-5,
      eos_token_id: 1,
    });
    const st = decodeSafetensors(await readFile(join(dir, 'model.safetensors')));
    expect(st.tensors['transformer.h.0.attn.c_attn.weight']?.shape).toEqual([16, 48]);
    expect(st.tensors['transformer.h.1.mlp.c_proj.weight']?.shape).toEqual([64, 16]);
    expect(st.tensors['transformer.wte.weight']?.shape).toEqual([23, 16]);
    expect(Object.keys(st.tensors)).toContain('transformer.ln_f.bias');
    original.dispose();
    loaded.model.dispose();
  });

  it('refuses a truncated safetensors file, naming the file and the problem', async () => {
    const dir = await saved();
    const path = join(dir, 'model.safetensors');
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, bytes.length - 100));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/model\.safetensors.*(truncat|beyond|size|bytes)/i);
  });

  it('refuses a corrupted header and a tensor whose shape does not fit the config', async () => {
    const dir = await saved();
    const path = join(dir, 'model.safetensors');
    const bytes = Buffer.from(await readFile(path));
    const corrupt = Buffer.from(bytes);
    corrupt[10] = 0x7b; // breaks the JSON header
    corrupt[11] = 0x7b;
    await writeFile(path, corrupt);
    await expect(loadCheckpoint(dir)).rejects.toThrow(/model\.safetensors/);
    await writeFile(path, bytes);
    const cfgPath = join(dir, 'config.json');
    const cfg = JSON.parse(await readFile(cfgPath, 'utf8'));
    cfg.memgen.config.nEmbd = 32;
    cfg.memgen.config.nInner = 128;
    await writeFile(cfgPath, JSON.stringify(cfg));
    await expect(loadCheckpoint(dir)).rejects.toThrow(
      /tensor 'transformer\.[a-z0-9_.]+' has shape \[[0-9,]+\], the config needs/,
    );
  });

  it('refuses a malformed config.json and a missing directory clearly', async () => {
    const dir = await saved();
    await writeFile(join(dir, 'config.json'), '{"memgen": {"config": {"nLayer": "two"}}}');
    await expect(loadCheckpoint(dir)).rejects.toThrow(
      /checkpoint .*config\.json: field "memgen\.config\.vocabSize": /,
    );
    await writeFile(join(dir, 'config.json'), '{not json');
    await expect(loadCheckpoint(dir)).rejects.toThrow(/config\.json is not valid JSON/);
    await expect(loadCheckpoint(join(dir, 'nope'))).rejects.toThrow(
      /cannot read .*nope\/config\.json: ENOENT/,
    );
  });
});
