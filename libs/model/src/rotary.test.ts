import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors, useTestBackend } from '@memgen/tensor';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeInput, leftPad, toForwardInput } from './batch.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { resolveGPTConfig } from './config.js';
import { decode } from './decode.js';
import { blockHook } from './hooks.js';
import { type Intervention, withInterventions } from './interventions.js';
import { lmLoss, makeTrainBatch } from './loss.js';
import { parameterCount } from './params.js';
import { logitsOf, nanoModel, prompts } from './test-models.js';

beforeAll(async () => {
  await useTestBackend();
});

const rotaryModel = (seed: number) => nanoModel(seed, { positions: 'rotary' });

/** Logits of one unpadded row [1, T, V] with every position id moved by `shift`. */
function shiftedLogits(model: ReturnType<typeof nanoModel>, seq: number[], shift: number): Float32Array {
  const input = toForwardInput(leftPad([seq], 0));
  const moved = { ...input, positions: tf.add(input.positions, tf.scalar(shift, 'int32')) as tf.Tensor2D };
  try {
    const out = model.forward(moved);
    const data = Float32Array.from(out.dataSync() as Float32Array);
    out.dispose();
    return data;
  } finally {
    moved.positions.dispose();
    disposeInput(input);
  }
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);

describe('rotary positions', () => {
  it('have no position table: nCtx·D fewer parameters, and a head width must be even', () => {
    const learned = resolveGPTConfig({ preset: 'nano', vocabSize: 23, nCtx: 24 });
    const rotary = resolveGPTConfig({ preset: 'nano', vocabSize: 23, nCtx: 24, positions: 'rotary' });
    expect(parameterCount(learned) - parameterCount(rotary)).toBe(24 * 16);
    expect(rotaryModel(0).params.has('transformer.wpe.weight')).toBe(false);
    expect(() =>
      resolveGPTConfig({ nEmbd: 12, nLayer: 1, nHead: 4, vocabSize: 5, nCtx: 8, positions: 'rotary' }),
    ).toThrow(/even head width/);
  });

  it('make the output invariant to a shift of every position; learned positions are not', () => {
    const rotary = rotaryModel(2);
    const learned = nanoModel(2);
    const seq = prompts(1, 23, 9, 9)[0]!;
    for (const shift of [1, 7]) {
      expect(maxAbsDiff(shiftedLogits(rotary, seq, 0), shiftedLogits(rotary, seq, shift))).toBeLessThan(1e-4);
      expect(maxAbsDiff(shiftedLogits(learned, seq, 0), shiftedLogits(learned, seq, shift))).toBeGreaterThan(
        1e-3,
      );
    }
    rotary.dispose();
    learned.dispose();
  });

  it('decode with the KV cache as with full recomputation, and a batch row as if alone', () => {
    const model = rotaryModel(3);
    const ps = prompts(5, 23, 2, 10);
    const opts = { maxNewTokens: 8, stopTokens: [], padId: 0, returnLogits: true };
    const cached = decode(model, ps, opts);
    const full = decode(model, ps, { ...opts, useCache: false });
    expect(cached.tokens).toEqual(full.tokens);
    const worst = Math.max(
      ...cached.logits!.flat().map((row, i) => maxAbsDiff(row, full.logits!.flat()[i] as Float32Array)),
    );
    expect(worst).toBeLessThanOrEqual(1e-5);
    const alone = ps.map((p) => decode(model, [p], opts).tokens[0]);
    expect(cached.tokens).toEqual(alone);
    model.dispose();
  });

  it('leave every intervention at its identity bit-exact, and a non-zero one moves the output', () => {
    const model = rotaryModel(4);
    const seqs = prompts(3, 23);
    const plain = logitsOf(model, seqs);
    const hook = blockHook(1, 'resid_post');
    const identities: Intervention[] = [
      { kind: 'add', hook, vector: new Float32Array(16) },
      { kind: 'scale', hook, coords: [0, 3, 5], alpha: 0 },
      { kind: 'attend', block: 1, heads: [0, 1], logit: 0, keys: (p) => [0, p.length - 2] },
    ];
    for (const iv of identities)
      expect(
        withInterventions(model, [iv], () => logitsOf(model, seqs)),
        iv.kind,
      ).toEqual(plain);
    const moved = withInterventions(
      model,
      [{ kind: 'attend', block: 1, heads: [0, 1], logit: 4, keys: () => [0] }],
      () => logitsOf(model, seqs),
    );
    expect(maxAbsDiff(moved, plain)).toBeGreaterThan(1e-3);
    model.dispose();
  });

  it('save → load round-trips bit-exact, with no wpe tensor and the rotation named in config.json', async () => {
    const model = rotaryModel(5);
    const dir = join(await mkdtemp(join(tmpdir(), 'memgen-rotary-')), 'ckpt');
    await saveCheckpoint(dir, model);
    const hf = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    expect(hf).toMatchObject({ position_embedding_type: 'rotary', rotary_dim: 8, rope_theta: 10_000 });
    expect(hf.memgen.config.positions).toBe('rotary');
    const tensors = decodeSafetensors(await readFile(join(dir, 'model.safetensors'))).tensors;
    expect(Object.keys(tensors)).not.toContain('transformer.wpe.weight');
    const loaded = await loadCheckpoint(dir);
    const seqs = prompts(3, 23);
    expect(logitsOf(loaded.model, seqs)).toEqual(logitsOf(model, seqs));
    loaded.model.dispose();
    model.dispose();
  });

  it('pass gradients through the rotation to the query/key projection (finite differences)', () => {
    const model = rotaryModel(6);
    const batch = makeTrainBatch(prompts(4, 23, 5, 9), 0);
    const v = model.params.get('transformer.h.0.attn.c_attn.weight') as tf.Variable;
    const { grads, value } = tf.variableGrads(() => lmLoss(model, batch), [v]);
    value.dispose();
    const g = grads[v.name]!.dataSync() as Float32Array;
    // The largest-gradient coordinate among the key columns (16…31 of each row): only the rotation reaches it.
    let at = 16;
    for (let i = 0; i < g.length; i++)
      if (i % 48 >= 16 && i % 48 < 32 && Math.abs(g[i]!) > Math.abs(g[at]!)) at = i;
    const base = Float32Array.from(v.dataSync() as Float32Array);
    const lossAt = (delta: number) => {
      const moved = Float32Array.from(base);
      moved[at] = moved[at]! + delta;
      v.assign(tf.tensor(moved, v.shape));
      const l = lmLoss(model, batch);
      const out = l.dataSync()[0]!;
      l.dispose();
      return out;
    };
    // Query/key gradients are ~1e-4: a step of 0.1 keeps the float32 difference far above rounding.
    const fd = (lossAt(0.1) - lossAt(-0.1)) / 0.2;
    v.assign(tf.tensor(base, v.shape));
    expect(Math.abs(fd - g[at]!) / Math.abs(g[at]!)).toBeLessThan(3e-2);
    for (const t of Object.values(grads)) t.dispose();
    model.dispose();
  });
});
