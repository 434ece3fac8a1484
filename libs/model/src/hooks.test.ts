import { useTestBackend } from '@memgen/tensor';
import type * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeInput, leftPad, toForwardInput } from './batch.js';
import { hookNames, residualSites } from './hooks.js';
import { recordActivations, withInterventions } from './interventions.js';
import { nanoModel, prompts } from './test-models.js';

beforeAll(async () => {
  await useTestBackend();
});

function logitsOf(model: ReturnType<typeof nanoModel>, seqs: number[][]): Float32Array {
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

describe('hook points', () => {
  it('lists every hook name of a 2-layer model', () => {
    const names = hookNames(2);
    console.log(`hook names (2 layers): ${names.join(', ')}`);
    expect(names).toEqual([
      'embed',
      'blocks.0.attn.z',
      'blocks.0.attn.out',
      'blocks.0.resid_mid',
      'blocks.0.mlp.pre',
      'blocks.0.mlp.post',
      'blocks.0.mlp.out',
      'blocks.0.resid_post',
      'blocks.1.attn.z',
      'blocks.1.attn.out',
      'blocks.1.resid_mid',
      'blocks.1.mlp.pre',
      'blocks.1.mlp.post',
      'blocks.1.mlp.out',
      'blocks.1.resid_post',
      'final_norm',
    ]);
    expect(residualSites(2)).toEqual(['embed', 'blocks.0.resid_post', 'blocks.1.resid_post']);
  });

  it('every hook point is reached exactly once per forward pass, with the documented width', () => {
    const model = nanoModel();
    const seen: string[] = [];
    const handles = hookNames(2).map((name) =>
      model.hooks.add(name, (act) => {
        seen.push(`${name}:${act.shape[2]}`);
        return undefined;
      }),
    );
    try {
      logitsOf(model, prompts(3, 23));
    } finally {
      for (const h of handles) h.remove();
    }
    expect(seen).toEqual(hookNames(2).map((n) => `${n}:${n.includes('mlp.p') ? 64 : 16}`));
    expect(model.hooks.size).toBe(0);
    model.dispose();
  });

  it('refuses an unknown hook name, naming it', () => {
    const model = nanoModel();
    expect(() => model.hooks.add('blocks.7.resid_post', () => undefined)).toThrow(
      /unknown hook point 'blocks.7.resid_post'/,
    );
    model.dispose();
  });

  it('recording changes nothing: logits are bit-identical, and the recorded rows are the last position', () => {
    const model = nanoModel();
    const seqs = prompts(4, 23);
    const plain = logitsOf(model, seqs);
    const rec = recordActivations(model, residualSites(2), () => logitsOf(model, seqs));
    expect(rec.value).toEqual(plain);
    const embed = rec.activations.get('embed')?.[0] as tf.Tensor;
    expect(embed.shape).toEqual([4, 16]);
    // The embedding of the last token: wte[token] + wpe[position].
    const wte = model.params.get('transformer.wte.weight')?.arraySync() as number[][];
    const wpe = model.params.get('transformer.wpe.weight')?.arraySync() as number[][];
    const row0 = (embed.arraySync() as number[][])[0] as number[];
    const s0 = seqs[0] as number[];
    const expected = (wte[s0[s0.length - 1] as number] as number[]).map(
      (v, j) => v + ((wpe[s0.length - 1] as number[])[j] as number),
    );
    for (const [j, v] of row0.entries()) expect(v).toBeCloseTo(expected[j] as number, 6);
    for (const list of rec.activations.values()) for (const t of list) t.dispose();
    expect(model.hooks.size).toBe(0);
    model.dispose();
  });

  it('a zero intervention equals no intervention; a non-zero one changes only the last position onward', () => {
    const model = nanoModel();
    const seqs = prompts(4, 23, 9, 9);
    const plain = logitsOf(model, seqs);
    const zero = withInterventions(model, [{ hook: 'blocks.0.resid_post', add: new Float32Array(16) }], () =>
      logitsOf(model, seqs),
    );
    expect(zero).toEqual(plain);
    const push = new Float32Array(16).fill(3);
    const steered = withInterventions(model, [{ hook: 'blocks.0.resid_post', add: push }], () =>
      logitsOf(model, seqs),
    );
    const V = 23;
    const T = 9;
    for (let r = 0; r < 4; r++) {
      const before = plain.slice((r * T + T - 2) * V, (r * T + T - 1) * V);
      expect(steered.slice((r * T + T - 2) * V, (r * T + T - 1) * V)).toEqual(before);
      const lastA = plain.slice((r * T + T - 1) * V, (r * T + T) * V);
      const lastB = steered.slice((r * T + T - 1) * V, (r * T + T) * V);
      expect(lastB).not.toEqual(lastA);
    }
    expect(model.hooks.size).toBe(0);
    model.dispose();
  });

  it('replacing coordinates sets them exactly, and hooks are removed even when the call throws', () => {
    const model = nanoModel();
    const seqs = prompts(2, 23);
    // Hooks run in the order they were attached: the recorder, attached second, sees the replacement.
    const rec = withInterventions(
      model,
      [{ hook: 'blocks.1.mlp.post', set: { indices: [0, 5], values: [7, -2] } }],
      () => recordActivations(model, ['blocks.1.mlp.post'], () => logitsOf(model, seqs)),
    );
    const act = rec.activations.get('blocks.1.mlp.post')?.[0]?.arraySync() as number[][];
    for (const row of act) {
      expect(row[0]).toBe(7);
      expect(row[5]).toBe(-2);
    }
    for (const list of rec.activations.values()) for (const t of list) t.dispose();
    expect(() =>
      withInterventions(model, [{ hook: 'embed', add: new Float32Array(16) }], () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(model.hooks.size).toBe(0);
    expect(() => withInterventions(model, [{ hook: 'embed', add: new Float32Array(3) }], () => 0)).toThrow(
      /3 values, width is 16/,
    );
    expect(model.hooks.size).toBe(0);
    model.dispose();
  });
});
