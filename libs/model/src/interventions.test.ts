import { useTestBackend } from '@memgen/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { headCoordinates } from './hooks.js';
import { all, logitsAt, recordAround, recordLast, testModel, V } from './intervention-test-helpers.js';
import { type Intervention, recordActivations, withInterventions } from './interventions.js';
import { logitsOf, prompts } from './test-models.js';

beforeAll(async () => {
  await useTestBackend();
});

describe('interventions', () => {
  it('add 0, set to the recorded value and ablate with the recorded value leave logits bit-identical', () => {
    const model = testModel(3);
    for (const seq of prompts(3, V)) {
      const plain = logitsOf(model, [seq]);
      for (const hook of ['blocks.0.attn.z', 'blocks.1.mlp.post', 'blocks.1.resid_post', 'final_norm']) {
        const { width } = model.hooks.point(hook);
        const recorded = recordLast(model, hook, seq);
        const coords = all(width);
        const identities: Intervention[] = [
          { kind: 'add', hook, vector: new Float32Array(width) },
          { kind: 'add', hook, coords, values: new Array(width).fill(0) },
          { kind: 'set', hook, coords, values: recorded },
          { kind: 'ablate', hook, coords, values: recorded },
        ];
        for (const iv of identities) {
          expect(
            withInterventions(model, [iv], () => logitsOf(model, [seq])),
            `${iv.kind} on ${hook}`,
          ).toEqual(plain);
        }
      }
    }
  });

  it('a non-zero add changes only the last position; at "all" it changes every position', () => {
    const model = testModel();
    const T = 9;
    const seqs = prompts(4, V, T, T);
    const plain = logitsOf(model, seqs);
    const hook = 'blocks.0.resid_post';
    const vector = new Float32Array(16).fill(3);
    const last = withInterventions(model, [{ kind: 'add', hook, vector }], () => logitsOf(model, seqs));
    expect(logitsAt(last, 4, T, T - 2)).toEqual(logitsAt(plain, 4, T, T - 2));
    const [lastRows, plainLast] = [logitsAt(last, 4, T, T - 1), logitsAt(plain, 4, T, T - 1)];
    for (let r = 0; r < 4; r++) expect(lastRows[r]).not.toEqual(plainLast[r]);
    const every = withInterventions(model, [{ kind: 'add', hook, vector, position: 'all' }], () =>
      logitsOf(model, seqs),
    );
    const [firstRows, plainFirst] = [logitsAt(every, 4, T, 0), logitsAt(plain, 4, T, 0)];
    for (let r = 0; r < 4; r++) expect(firstRows[r]).not.toEqual(plainFirst[r]);
  });

  it('set and ablate replace exactly the listed coordinates; ablate without values zeroes them', () => {
    const model = testModel();
    const seqs = prompts(2, V);
    const hook = 'blocks.1.mlp.post';
    const ivs: Intervention[] = [
      { kind: 'set', hook, coords: [0, 5], values: [7, -2] },
      { kind: 'ablate', hook, coords: [9] },
      { kind: 'add', hook, coords: [11], values: [0.5] },
    ];
    const rec = recordAround(model, hook, ivs, seqs, 'last');
    const [before, after] = [rec.before as number[][], rec.after as number[][]];
    after.forEach((row, r) => {
      const old = before[r] as number[];
      expect([row[0], row[5], row[9]]).toEqual([7, -2, 0]);
      expect(row[11]).toBeCloseTo((old[11] as number) + 0.5, 6);
      for (const j of [1, 2, 3, 4, 6, 7, 8, 10, 12, 63]) expect(row[j]).toBe(old[j]);
    });
  });

  it('ablating an attention head to zero zeroes that head only and changes the outputs', () => {
    const model = testModel();
    const seqs = prompts(3, V);
    const hook = 'blocks.0.attn.z';
    const coords = headCoordinates(model.hooks.point(hook), [1]);
    const ablate: Intervention = { kind: 'ablate', hook, coords, position: 'all' };
    const rec = recordAround(model, hook, [ablate], seqs, 'all');
    const z0 = (rec.before as number[][][]).flat();
    const z1 = (rec.after as number[][][]).flat();
    z1.forEach((row, k) => {
      expect(row.slice(8)).toEqual(new Array(8).fill(0));
      expect(row.slice(0, 8)).toEqual((z0[k] as number[]).slice(0, 8));
    });
    expect(z0.some((row) => row.slice(8).some((v) => v !== 0))).toBe(true);
    expect(rec.steered).not.toEqual(rec.plain);
  });

  it('refuses an unknown hook or a bad coordinate, naming both, and leaves no hook attached', () => {
    const model = testModel();
    const run = (ivs: Intervention[]) => () => withInterventions(model, ivs, () => 0);
    const ok: Intervention = { kind: 'add', hook: 'embed', vector: new Float32Array(16) };
    expect(run([ok, { kind: 'set', hook: 'blocks.2.mlp.post', coords: [0], values: [1] }])).toThrow(
      /unknown hook point 'blocks.2.mlp.post'/,
    );
    expect(run([ok, { kind: 'ablate', hook: 'blocks.1.mlp.post', coords: [3, 64] }])).toThrow(
      "intervention ablate on 'blocks.1.mlp.post': coordinate 64 outside [0, 64)",
    );
    expect(run([{ kind: 'set', hook: 'blocks.0.attn.z', coords: [-1], values: [0] }])).toThrow(
      "intervention set on 'blocks.0.attn.z': coordinate -1 outside [0, 16)",
    );
    expect(run([{ kind: 'set', hook: 'embed', coords: [1, 1], values: [0, 2] }])).toThrow(
      "intervention set on 'embed': coordinate 1 listed twice",
    );
    expect(run([{ kind: 'add', hook: 'embed', coords: [1, 2], values: [0] }])).toThrow(
      "intervention add on 'embed': 2 coordinates but 1 values",
    );
    expect(run([{ kind: 'scale', hook: 'embed', coords: [0], alpha: Number.NaN }])).toThrow(
      "intervention scale on 'embed': alpha must be finite, got NaN",
    );
    expect(run([{ kind: 'add', hook: 'embed', vector: new Float32Array(3) }])).toThrow(
      "intervention add on 'embed': vector has 3 values, width is 16",
    );
    expect(() => recordActivations(model, ['embed', 'blocks.9.resid_post'], () => 0)).toThrow(
      /unknown hook point 'blocks.9.resid_post'/,
    );
  });

  it('removes its hooks even when the call throws', () => {
    const model = testModel();
    const ok: Intervention = { kind: 'add', hook: 'embed', vector: new Float32Array(16) };
    expect(() =>
      withInterventions(model, [ok], () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
  });
});
