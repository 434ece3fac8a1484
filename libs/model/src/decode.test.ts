import { useTestBackend } from '@memgen/tensor';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decode } from './decode.js';
import { withInterventions } from './interventions.js';
import { nanoModel, prompts } from './test-models.js';

beforeAll(async () => {
  await useTestBackend();
});

const opts = { maxNewTokens: 8, stopTokens: [1], padId: 0 };

describe('decoding', () => {
  it('KV-cache greedy decoding gives the same tokens and logits (≤ 1e-5) as full recomputation', () => {
    const model = nanoModel(3);
    const ps = prompts(6, 23);
    const cached = decode(model, ps, { ...opts, stopTokens: [], returnLogits: true });
    const full = decode(model, ps, { ...opts, stopTokens: [], useCache: false, returnLogits: true });
    expect(cached.tokens).toEqual(full.tokens);
    expect(cached.tokens.every((t) => t.length === 8)).toBe(true);
    let maxDiff = 0;
    cached.logits?.forEach((rows, r) => {
      rows.forEach((row, s) => {
        const other = full.logits?.[r]?.[s] as Float32Array;
        for (let j = 0; j < row.length; j++)
          maxDiff = Math.max(maxDiff, Math.abs((row[j] as number) - (other[j] as number)));
      });
    });
    expect(maxDiff).toBeLessThanOrEqual(1e-5);
    model.dispose();
  });

  it('a short prompt makes the cache grow while decoding (2 → 4 → 10 → 20 positions) and changes nothing', () => {
    const model = nanoModel(5);
    const ps = prompts(4, 23, 2, 2);
    const long = { ...opts, maxNewTokens: 12, stopTokens: [], returnLogits: true };
    const cached = decode(model, ps, long);
    const full = decode(model, ps, { ...long, useCache: false });
    expect(cached.tokens).toEqual(full.tokens);
    const worst = Math.max(
      ...cached.logits!.flat().flatMap((row, i) => {
        const ref = full.logits!.flat()[i]!;
        return Array.from(row, (x, j) => Math.abs(x - ref[j]!));
      }),
    );
    expect(worst).toBeLessThanOrEqual(1e-5);
    model.dispose();
  });

  it('a batch decodes each row as if it were alone (left padding is invisible)', () => {
    const model = nanoModel(4);
    const ps = prompts(5, 23, 2, 10);
    const together = decode(model, ps, { ...opts, stopTokens: [] }).tokens;
    const alone = ps.map((p) => decode(model, [p], { ...opts, stopTokens: [] }).tokens[0]);
    expect(together).toEqual(alone);
    model.dispose();
  });

  it('stops a row at its stop token and keeps the others going', () => {
    const model = nanoModel(5);
    const ps = prompts(6, 23);
    const free = decode(model, ps, { ...opts, stopTokens: [] }).tokens;
    // Pick a token some row emits mid-way and make it the stop token.
    const stop = free[0]?.[2] as number;
    const stopped = decode(model, ps, { ...opts, stopTokens: [stop] }).tokens;
    stopped.forEach((row, r) => {
      const at = (free[r] as number[]).indexOf(stop);
      expect(row).toEqual(at >= 0 ? (free[r] as number[]).slice(0, at + 1) : free[r]);
    });
    model.dispose();
  });

  it('beam width 1 equals greedy; wider beams find sequences at least as likely', () => {
    const model = nanoModel(6);
    const ps = prompts(4, 23);
    const greedy = decode(model, ps, opts).tokens;
    expect(decode(model, ps, { ...opts, beamWidth: 1 }).tokens).toEqual(greedy);
    const beam = decode(model, ps, { ...opts, stopTokens: [], beamWidth: 4 }).tokens;
    const free = decode(model, ps, { ...opts, stopTokens: [] }).tokens;
    ps.forEach((p, r) => {
      expect(logProb(model, p, beam[r] as number[])).toBeGreaterThanOrEqual(
        logProb(model, p, free[r] as number[]) - 1e-4,
      );
    });
    // Cache and no cache agree for beam search too.
    expect(decode(model, ps, { ...opts, beamWidth: 3, useCache: false }).tokens).toEqual(
      decode(model, ps, { ...opts, beamWidth: 3 }).tokens,
    );
    model.dispose();
  });

  // Head widths 8 (nano), 48 and 40 and caches past 32 positions reach every register block of the
  // native single-query kernel (32 and 16 keys or columns at a time, then one at a time).
  it.each([
    ['nano, head width 8', {}, 3, 9],
    ['head width 48, 30–40-token prompts', { nEmbd: 96, nCtx: 48 }, 30, 40],
    ['head width 40, 20–26-token prompts', { nEmbd: 80, nCtx: 40 }, 20, 26],
  ] as const)(
    "the native engine's in-place KV store decodes as the tensor cache of the cpu backend does (%s)",
    async (_, config, minLen, maxLen) => {
      expect(tf.getBackend()).toBe('native');
      const run = () => {
        const model = nanoModel(7, config);
        const ps = prompts(5, 23, minLen, maxLen);
        const greedy = decode(model, ps, { ...opts, stopTokens: [], returnLogits: true });
        const beam = decode(model, ps, { ...opts, stopTokens: [], beamWidth: 3 }).tokens;
        model.dispose();
        return { greedy, beam };
      };
      const native = run();
      await tf.setBackend('cpu');
      try {
        const cpu = run();
        expect(native.greedy.tokens).toEqual(cpu.greedy.tokens);
        expect(native.beam).toEqual(cpu.beam);
        const worst = Math.max(
          ...native.greedy.logits!.flat().flatMap((row, i) => {
            const ref = cpu.greedy.logits!.flat()[i]!;
            return Array.from(row, (x, j) => Math.abs(x - ref[j]!));
          }),
        );
        expect(worst).toBeLessThan(1e-4);
      } finally {
        await tf.setBackend('native');
      }
    },
  );

  it('interventions apply at every decoding step, and a zero one changes nothing', () => {
    const model = nanoModel(7);
    const ps = prompts(6, 23);
    const plain = decode(model, ps, opts).tokens;
    const zero = withInterventions(
      model,
      [{ kind: 'add', hook: 'blocks.1.resid_post', vector: new Float32Array(16) }],
      () => decode(model, ps, opts),
    ).tokens;
    expect(zero).toEqual(plain);
    // A huge push along the unembedding row of token 5 makes every step emit 5.
    const wte = model.params.get('transformer.wte.weight')?.arraySync() as number[][];
    const push = Float32Array.from(wte[5] as number[], (v) => v * 1e3);
    const forced = withInterventions(model, [{ kind: 'add', hook: 'final_norm', vector: push }], () =>
      decode(model, ps, { ...opts, stopTokens: [] }),
    ).tokens;
    for (const row of forced) expect(row).toEqual(new Array(8).fill(5));
    model.dispose();
  });

  it('refuses prompts that do not fit the context', () => {
    const model = nanoModel();
    expect(() => decode(model, [new Array(20).fill(2)], opts)).toThrow(/exceeds the context of 24/);
    expect(() => decode(model, [[2, 3]], { ...opts, beamWidth: 0 })).toThrow(/beamWidth/);
    model.dispose();
  });
});

/** Σ log p(generated | prompt) under the model. */
function logProb(model: ReturnType<typeof nanoModel>, prompt: number[], gen: number[]): number {
  const seq = [...prompt, ...gen];
  return tf.tidy(() => {
    const T = seq.length;
    const logits = model.forward({
      tokens: tf.tensor2d([seq], [1, T], 'int32'),
      positions: tf.tensor2d([seq.map((_, i) => i)], [1, T], 'int32'),
      keyMask: tf.ones([1, T]) as tf.Tensor2D,
    });
    const lp = tf.logSoftmax(logits).arraySync() as number[][][];
    let total = 0;
    gen.forEach((t, k) => {
      total += (lp[0]?.[prompt.length - 1 + k]?.[t] as number) ?? 0;
    });
    return total;
  });
}
