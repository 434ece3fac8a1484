import { useTestBackend } from '@memgen/tensor';
import type * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BLOCK_HOOK_SUFFIXES,
  blockHook,
  type HookPoint,
  headCoordinates,
  hookNames,
  hookPoints,
  residualSites,
} from './hooks.js';
import { recordActivations } from './interventions.js';
import { logitsOf, nanoConfig, nanoModel, prompts } from './test-models.js';

beforeAll(async () => {
  await useTestBackend();
});

describe('hook points', () => {
  it('lists every hook point of a 2-layer model with its kind and width', () => {
    const names = hookNames(2);
    console.log(`hook names (2 layers): ${names.join(', ')}`);
    const block = (i: number) => [
      [`blocks.${i}.attn.z`, 'attention-heads', 16, [2, 8]],
      [`blocks.${i}.attn.out`, 'sublayer-out', 16, [16]],
      [`blocks.${i}.resid_mid`, 'residual', 16, [16]],
      [`blocks.${i}.mlp.pre`, 'mlp-pre', 64, [64]],
      [`blocks.${i}.mlp.post`, 'mlp-neurons', 64, [64]],
      [`blocks.${i}.mlp.out`, 'sublayer-out', 16, [16]],
      [`blocks.${i}.resid_post`, 'residual', 16, [16]],
    ];
    const expected = [
      ['embed', 'residual', 16, [16]],
      ...block(0),
      ...block(1),
      ['final_norm', 'final-norm', 16, [16]],
    ];
    const points = hookPoints(nanoConfig());
    expect(points.map((p) => [p.name, p.kind, p.width, p.layout])).toEqual(expected);
    expect(points.map((p) => p.layer)).toEqual([
      null,
      ...new Array(7).fill(0),
      ...new Array(7).fill(1),
      null,
    ]);
    expect(names).toEqual(expected.map((e) => e[0]));
    expect(nanoModel().hooks.list()).toEqual(points);
    expect(residualSites(2)).toEqual(['embed', 'blocks.0.resid_post', 'blocks.1.resid_post']);
  });

  it('spells every block hook through blockHook, the names the model reaches', () => {
    expect(blockHook(3, 'attn.out')).toBe('blocks.3.attn.out');
    const perBlock = BLOCK_HOOK_SUFFIXES.map((suffix) => blockHook(1, suffix));
    expect(hookNames(2).filter((n) => n.startsWith('blocks.1.'))).toEqual(perBlock);
    expect(residualSites(2)).toEqual(['embed', blockHook(0, 'resid_post'), blockHook(1, 'resid_post')]);
  });

  it('expands attention heads into their coordinates, refusing heads that do not exist', () => {
    const [z, out] = hookPoints(nanoConfig()).slice(1, 3) as [HookPoint, HookPoint];
    expect(headCoordinates(z, [1])).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    expect(headCoordinates(z, [0, 1])).toEqual(Array.from({ length: 16 }, (_, j) => j));
    expect(() => headCoordinates(z, [2])).toThrow(/'blocks.0.attn.z': head 2 outside \[0, 2\)/);
    expect(() => headCoordinates(out, [0])).toThrow(/'blocks.0.attn.out' \(sublayer-out\) has no heads/);
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
    expect(seen).toEqual(hookPoints(nanoConfig()).map((p) => `${p.name}:${p.width}`));
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
});
